"""A run's completions from its endpoint: every wanted sample once, a bounded pool of requests in flight,
progress, cancellation between requests, per-task failures and the errors that stop a run."""

import threading
from dataclasses import replace
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from evaluations.endpoint.client import EndpointConfig
from evaluations.endpoint.errors import ApiKeyRefused, EndpointUnavailable, RequestRefused
from evaluations.endpoint.generation import GeneratedSample, TaskFailed, generate, wanted_samples
from evaluations.endpoint.secrets import Secret, SecretUnreadable, encrypt_secret
from tests.evaluations.endpoint.conftest import API_KEY, make_task
from tests.evaluations.fake_openai import FakeOpenAI, ServerError, Slow, Status, reference_answers
from tests.jobs.processes import wait_for


def run(config, wanted, options, **kwargs) -> list:
    return list(generate(endpoint=config, wanted=wanted, options=options, **kwargs))


def request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("endpoint-request")]


def test_every_wanted_sample_gets_its_completion_once(server, config, options, tasks):
    results = run(config, wanted_samples(tasks, 4), options)
    assert all(isinstance(r, GeneratedSample) for r in results)
    assert sorted((r.task_id, r.index) for r in results) == sorted((t.task_id, i) for t in tasks for i in range(4))
    by_task = {t.task_id: t for t in tasks}
    for result in results:
        task = by_task[result.task_id]
        # The reference answer repeats the prompt's function: the completion redefines it after a blank line.
        assert result.completion == "\n\n" + task.prompt + task.reference
        assert result.answer.startswith("Here is the function:") and result.finish_reason == "stop"
    # One request per task, asking for its four samples at once.
    assert sorted(r.body["n"] for r in server.chat_requests) == [4] * len(tasks)


def test_only_the_samples_still_missing_are_asked_for(server, config, options, tasks):
    wanted = [(tasks[0], 3), (tasks[0], 7), (tasks[1], 0)]
    results = run(config, wanted, options)
    assert sorted((r.task_id, r.index) for r in results) == [("demo/0", 3), ("demo/0", 7), ("demo/1", 0)]
    assert sorted(r.body.get("n", 1) for r in server.chat_requests) == [1, 2]


def test_the_requests_in_flight_reach_the_concurrency_limit(server, config, options):
    many = [make_task(n) for n in range(8)]
    server.hold_until(3)  # nobody is answered until three requests are being handled together
    run(config, wanted_samples(many, 1), replace(options, concurrency=3))
    assert server.max_in_flight == 3


def test_the_requests_in_flight_never_exceed_the_limit_even_when_the_server_waits_for_more(server, config, options):
    many = [make_task(n) for n in range(6)]
    server.hold_until(3, timeout=0.5)  # the server would take three at once; the client sends two
    results = run(config, wanted_samples(many, 1), replace(options, concurrency=2))
    assert len(results) == 6
    assert server.max_in_flight == 2


def test_progress_is_reported_after_each_task_up_to_the_total(server, config, options, tasks):
    seen = []
    run(config, wanted_samples(tasks, 2), options, progress=lambda done, total: seen.append((done, total)))
    assert [done for done, _ in seen] == [2, 4, 6, 8, 10, 12]
    assert {total for _, total in seen} == {12}


def test_cancelling_stops_asking_for_more(server, config, options):
    many = [make_task(n) for n in range(20)]
    results = []
    for result in generate(
        endpoint=config,
        wanted=wanted_samples(many, 1),
        options=replace(options, concurrency=2),
        should_cancel=lambda: len(results) >= 3,
    ):
        results.append(result)
    assert len(results) == 3
    wait_for(lambda: not request_threads(), timeout=30, what="the request threads to end")
    # The first requests plus at most the two in flight when the cancel was seen.
    assert len(server.chat_requests) <= 5


def test_a_cancel_during_a_long_backoff_ends_the_wait_without_the_retry(server, config, options, tasks):
    server.script(ServerError())
    patient = replace(options, backoff_base=60.0, backoff_max=120.0)  # the retry would wait 30-60 s
    results = run(config, [(tasks[0], 0)], patient, should_cancel=lambda: bool(server.requests))
    assert results == []
    wait_for(lambda: not request_threads(), timeout=20, what="the waiting request thread to end")
    assert len(server.chat_requests) == 1


def test_cancel_is_checked_while_every_request_in_flight_is_slow(server, config, options, tasks):
    server.script(Slow(60))
    checks = []
    run(config, [(tasks[0], 0)], options, should_cancel=lambda: checks.append(1) or len(checks) >= 3)
    assert len(checks) == 3  # polled while waiting, not only when an answer arrives


def test_a_task_whose_requests_keep_failing_is_reported_and_the_others_go_on(server, config, options, tasks):
    server.script(*[ServerError()] * 4)  # the first task's four attempts (retries=3)
    results = run(config, wanted_samples(tasks[:3], 2), replace(options, concurrency=1))
    failed = [r for r in results if isinstance(r, TaskFailed)]
    assert [(f.task_id, f.indices) for f in failed] == [("demo/0", (0, 1))]
    assert failed[0].message.endswith("Gave up after 4 attempts.")
    assert sorted((r.task_id, r.index) for r in results if isinstance(r, GeneratedSample)) == [
        ("demo/1", 0), ("demo/1", 1), ("demo/2", 0), ("demo/2", 1)
    ]


def test_a_request_refused_for_one_task_only_fails_that_task(server, config, options, tasks):
    server.script(Status(400, "This model's maximum context length is 8192 tokens."))
    results = run(config, wanted_samples(tasks[:2], 1), replace(options, concurrency=1))
    assert isinstance(results[0], TaskFailed) and isinstance(results[0].error, RequestRefused)
    assert "maximum context length" in results[0].message
    assert isinstance(results[1], GeneratedSample)


def test_several_tasks_failing_in_a_row_stop_the_run(server, config, options, tasks):
    server.script(*[ServerError(503)] * 10)
    seen = []
    with pytest.raises(EndpointUnavailable, match="failed 3 tasks in a row") as caught:
        for result in generate(
            endpoint=config, wanted=wanted_samples(tasks, 1), options=replace(options, retries=0, concurrency=1)
        ):
            seen.append(result)
    assert [type(r) for r in seen] == [TaskFailed] * 3
    assert "HTTP 503" in str(caught.value)
    assert len(server.chat_requests) == 3


def test_a_success_between_failures_resets_the_count(server, config, options, tasks):
    server.script(ServerError(), ServerError(), Slow(0), ServerError(), ServerError())
    results = run(config, wanted_samples(tasks[:5], 1), replace(options, retries=0, concurrency=1))
    assert [type(r).__name__ for r in results] == ["TaskFailed", "TaskFailed", "GeneratedSample"] + ["TaskFailed"] * 2


def test_a_refused_key_stops_the_run_at_once(server, config, options, tasks):
    wrong = replace(config, api_key=Secret("sk-wrong-key-0000000000000000"))
    with pytest.raises(ApiKeyRefused, match="refused the API key"):
        run(wrong, wanted_samples(tasks, 3), replace(options, concurrency=2))
    wait_for(lambda: not request_threads(), timeout=30, what="the request threads to end")
    assert len(server.chat_requests) <= 2  # the requests already in flight, nothing after


def test_a_wrong_base_url_stops_the_run_at_once(server, config, options, tasks):
    wrong = replace(config, base_url=f"http://127.0.0.1:{server.port}/v2")
    with pytest.raises(RequestRefused, match="HTTP 404"):
        run(wrong, wanted_samples(tasks, 1), replace(options, concurrency=1))
    assert len(server.chat_requests) == 1


def test_a_stored_endpoint_is_called_with_its_decrypted_key(server, options, tasks, settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = SimpleNamespace(
        base_url=server.base_url,
        model="fake-coder-1",
        temperature=0.8,
        max_tokens=300,
        api_key_encrypted=encrypt_secret(API_KEY),
    )
    results = run(stored, [(tasks[0], 0)], options)
    assert isinstance(results[0], GeneratedSample)
    assert server.chat_requests[0].authorization == f"Bearer {API_KEY}"
    assert server.chat_requests[0].body["temperature"] == 0.8 and server.chat_requests[0].body["max_tokens"] == 300


def test_a_stored_key_that_cannot_be_decrypted_fails_before_any_request(server, options, tasks, settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = encrypt_secret(API_KEY)
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = SimpleNamespace(base_url=server.base_url, model="m", temperature=0, max_tokens=9, api_key_encrypted=token)
    with pytest.raises(SecretUnreadable):
        run(stored, [(tasks[0], 0)], options)
    assert server.requests == []


def test_a_server_that_refuses_n_still_gives_every_sample(tasks, options):
    with FakeOpenAI(api_key=None, n_mode="refuse", responder=reference_answers(tasks)) as refusing:
        config = EndpointConfig(base_url=refusing.base_url, model="m", temperature=1, max_tokens=50)
        results = run(config, wanted_samples(tasks[:2], 3), replace(options, concurrency=1))
        asked = [(r.body.get("n"), r.status) for r in refusing.chat_requests]
    assert sorted((r.task_id, r.index) for r in results) == [(f"demo/{t}", i) for t in range(2) for i in range(3)]
    assert asked == [(3, 400)] + [(None, 200)] * 6
