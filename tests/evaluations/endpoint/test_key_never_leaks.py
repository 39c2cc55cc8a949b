"""The API key appears in no log line (Hazlog's, httpx's or httpcore's, at DEBUG), no exception message, repr or
traceback and no recorded result, on the success path and on every error path, even when the server echoes it."""

import logging
import traceback
from dataclasses import replace
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from evaluations.endpoint.client import ChatClient
from evaluations.endpoint.errors import EndpointError
from evaluations.endpoint.generation import generate, wanted_samples
from evaluations.endpoint.secrets import encrypt_secret
from tests.evaluations.endpoint.conftest import API_KEY
from tests.evaluations.fake_openai import (
    Disconnect,
    FakeOpenAI,
    Malformed,
    MissingChoices,
    RateLimited,
    Slow,
    Status,
    WrongShape,
)
from tests.jobs.processes import free_port

SECRET_PART = API_KEY.removeprefix("sk-test-")
# Any 8 characters of the key's random part, not only the whole key, count as a leak.
FRAGMENTS = {SECRET_PART[i : i + 8] for i in range(len(SECRET_PART) - 7)}


def assert_no_key(*texts: str) -> None:
    for text in texts:
        leaked = [fragment for fragment in FRAGMENTS if fragment in text]
        assert not leaked, f"key fragment {leaked[0]!r} in: {text[:300]!r}"


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "evaluations", "evaluations.endpoint"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def echoing(message: str) -> str:
    return message.format(key=API_KEY)


SCRIPTED_FAILURES = {
    "403 echoing the key": [Status(403, echoing("Key {key} has no access to this model."))],
    "400 echoing the key": [Status(400, echoing("Invalid header: Bearer {key}"))],
    "404 echoing the key": [Status(404, echoing("No route for key {key}."))],
    "500s echoing the key until retries run out": [Status(500, echoing("crash while checking {key}"))] * 4,
    "429 with a too long Retry-After": [RateLimited(retry_after="9999")],
    "redirect to a URL holding the key": [Status(302, "", headers={"Location": echoing("https://x.example/?k={key}")})],
    "malformed JSON": [Malformed()] * 4,
    "no choices": [MissingChoices()] * 4,
    "an error object echoing the key": [WrongShape({"error": {"message": echoing("bad key {key}")}})] * 4,
    "dropped connections": [Disconnect()] * 4,
}


@pytest.mark.parametrize("name", list(SCRIPTED_FAILURES))
def test_no_error_path_of_a_request_shows_the_key(name, server, config, options, debug_logs):
    server.script(*SCRIPTED_FAILURES[name])
    client = ChatClient(config, options)
    with pytest.raises(EndpointError) as caught:
        client.complete([{"role": "user", "content": "hi"}])
    client.close()
    error = caught.value
    assert_no_key(str(error), repr(error), "".join(traceback.format_exception(error)), debug_logs.text, repr(client))
    assert debug_logs.records  # the logging under test did happen


def test_a_refused_key_echoed_back_by_the_server_is_not_repeated(tasks, config, options, debug_logs):
    with FakeOpenAI(api_key="sk-the-right-one") as server:  # answers 401 quoting the key it was sent
        failing = replace(config, base_url=server.base_url)
        with pytest.raises(EndpointError) as caught:
            list(generate(endpoint=failing, wanted=wanted_samples(tasks, 2), options=options))
        assert API_KEY in server.requests[0].authorization  # it was sent, and echoed...
    error = caught.value
    assert_no_key(str(error), repr(error), "".join(traceback.format_exception(error)), debug_logs.text)


def test_a_timeout_and_an_unreachable_server_do_not_show_the_key(server, config, options, debug_logs):
    server.script(Slow(60))
    errors = []
    for attempt in (
        ChatClient(config, replace(options, read_timeout=1.0, retries=0)),
        ChatClient(replace(config, base_url=f"http://127.0.0.1:{free_port()}/v1"), replace(options, retries=1)),
    ):
        with pytest.raises(EndpointError) as caught:
            attempt.complete([{"role": "user", "content": "hi"}])
        attempt.close()
        errors.append(caught.value)
    assert_no_key(*(f"{e} {e!r} {''.join(traceback.format_exception(e))}" for e in errors), debug_logs.text)


def test_a_refused_base_url_and_an_unreadable_stored_key_do_not_show_the_key(tasks, options, settings, debug_logs):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = SimpleNamespace(
        base_url="http://127.0.0.1:9/v1",
        model="m",
        temperature=0,
        max_tokens=9,
        api_key_encrypted=encrypt_secret(API_KEY),
    )
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = False
    with pytest.raises(EndpointError) as refused:
        list(generate(endpoint=stored, wanted=wanted_samples(tasks, 1), options=options))
    assert "private, loopback" in str(refused.value)
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(EndpointError) as unreadable:
        list(generate(endpoint=stored, wanted=wanted_samples(tasks, 1), options=options))
    for error in (refused.value, unreadable.value):
        assert_no_key(str(error), repr(error), "".join(traceback.format_exception(error)))
    assert_no_key(debug_logs.text)


def test_a_whole_run_with_failures_and_successes_logs_and_returns_nothing_of_the_key(
    server, config, options, tasks, debug_logs
):
    server.script(*[Status(500, echoing("oops {key}"))] * 4, Status(400, echoing("too long for {key}")))
    results = list(generate(endpoint=config, wanted=wanted_samples(tasks, 2), options=replace(options, concurrency=1)))
    assert {type(r).__name__ for r in results} == {"TaskFailed", "GeneratedSample"}
    assert_no_key(repr(results), *(str(getattr(r, "error", "")) for r in results), debug_logs.text, repr(config))
    # httpcore's own DEBUG lines were captured too (they describe each request, never its headers).
    assert any(record.name.startswith("httpcore") for record in debug_logs.records)
