"""Fixtures for the endpoint client: the local protocol server, fast retry settings and a few tasks."""

import pytest

from evaluations.endpoint.client import ClientSettings, EndpointConfig
from evaluations.endpoint.secrets import Secret
from evaluations.suites.base import EvalTask
from tests.evaluations.fake_openai import FakeOpenAI, reference_answers

# Long and distinctive, so that a leak of it (or of a fragment) is unmistakable in any text.
API_KEY = "sk-test-4f9c2e7b1a6d8c3e5f0a9b2c7d4e1f6a"


def make_task(number: int) -> EvalTask:
    return EvalTask(
        task_id=f"demo/{number}",
        level=1 + number % 3,
        prompt=f'def add_{number}(x: int) -> int:\n    """Return x plus {number}."""\n',
        entry_point=f"add_{number}",
        test=f"def check(candidate):\n    assert candidate(1) == {1 + number}\n",
        reference=f"    return x + {number}\n",
    )


@pytest.fixture
def tasks() -> list[EvalTask]:
    return [make_task(number) for number in range(6)]


@pytest.fixture(autouse=True)
def _local_model_servers_allowed(settings):
    # The protocol server listens on 127.0.0.1, which the SSRF guard refuses unless this is on.
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = True


@pytest.fixture
def options() -> ClientSettings:
    """Small backoff so that retries happen in milliseconds; a read timeout far above a local answer's time."""
    return ClientSettings(
        connect_timeout=5.0, read_timeout=10.0, retries=3, backoff_base=0.02, backoff_max=0.5, concurrency=3
    )


@pytest.fixture
def server(tasks):
    with FakeOpenAI(api_key=API_KEY, responder=reference_answers(tasks)) as running:
        yield running


@pytest.fixture
def config(server) -> EndpointConfig:
    return EndpointConfig(
        base_url=server.base_url, model="fake-coder-1", temperature=0.2, max_tokens=256, api_key=Secret(API_KEY)
    )
