"""The chat completions client against a real local server: the request it sends, what it retries (with
backoff, honouring Retry-After) and what it refuses at once with a typed error."""

import random
import time
from dataclasses import replace
from email.utils import formatdate

import httpx
import pytest

from evaluations.endpoint.client import ChatClient, ClientSettings, EndpointConfig, _retry_after, parse_answers
from evaluations.endpoint.errors import (
    ApiKeyRefused,
    EndpointUnavailable,
    RequestRefused,
    TransientError,
)
from evaluations.endpoint.secrets import Secret
from tests.evaluations.endpoint.conftest import API_KEY
from tests.evaluations.fake_openai import (
    Disconnect,
    Drip,
    FakeOpenAI,
    Malformed,
    MissingChoices,
    RateLimited,
    ServerError,
    Slow,
    Status,
    WrongShape,
    scripted,
)
from tests.jobs.processes import free_port

MESSAGES = [{"role": "user", "content": "Write add(a, b)."}]


@pytest.fixture
def client(config, options):
    made = ChatClient(config, options)
    yield made
    made.close()


def test_the_request_carries_model_messages_temperature_max_tokens_and_n(server, client):
    answers = client.complete(MESSAGES, n=3)
    assert len(answers) == 3
    (request,) = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "model": "fake-coder-1",
        "messages": MESSAGES,
        "temperature": 0.2,
        "max_tokens": 256,
        "n": 3,
    }


def test_one_answer_is_asked_for_without_the_n_parameter(server, client):
    client.complete(MESSAGES, n=1)
    assert "n" not in server.requests[0].body


def test_the_key_travels_only_in_the_authorization_header(server, client):
    client.complete(MESSAGES)
    (request,) = server.requests
    assert request.authorization == f"Bearer {API_KEY}"
    others = {name: value for name, value in request.headers.items() if name != "authorization"}
    assert API_KEY not in repr(others)
    assert API_KEY.encode() not in request.raw_body
    assert API_KEY not in request.path


def test_an_endpoint_without_a_key_gets_no_authorization_header(tasks, options):
    with FakeOpenAI(api_key=None) as open_server:
        config = EndpointConfig(base_url=open_server.base_url, model="m", temperature=0, max_tokens=10)
        keyless = ChatClient(config, options)
        keyless.complete(MESSAGES)
        keyless.close()
        assert "authorization" not in open_server.requests[0].headers


@pytest.mark.parametrize(
    "behaviour",
    [
        RateLimited(),
        RateLimited(retry_after="0"),
        ServerError(500),
        ServerError(502),
        ServerError(503),
        Status(408, "Request timeout."),
        Malformed(),
        MissingChoices(),
        WrongShape({"choices": [{"index": 0}]}),
        WrongShape({"choices": "none"}),
        WrongShape(["not", "an", "object"]),
        WrongShape({"error": {"message": "upstream overloaded"}}),
        Disconnect(),
    ],
    ids=lambda b: f"{type(b).__name__}{getattr(b, 'status', '') or getattr(b, 'code', '')}",
)
def test_a_passing_failure_is_retried_and_the_next_answer_is_returned(server, client, behaviour):
    server.script(behaviour)
    answers = client.complete(MESSAGES)
    assert [a.text for a in answers] == ["I do not know this task."]  # the reference responder's answer
    assert [r.behaviour for r in server.requests] == [type(behaviour).__name__, "Answer"]


def test_a_read_timeout_is_retried(server, config, options):
    patient = ChatClient(config, replace(options, read_timeout=1.0))
    server.script(Slow(60))  # released when the server stops; the client gives up after 1 s
    try:
        answers = patient.complete(MESSAGES)
    finally:
        patient.close()
    assert len(answers) == 1
    assert [r.behaviour for r in server.requests] == ["Slow", "Answer"]


def test_an_answer_dripping_past_the_read_timeout_in_total_is_abandoned(server, config, options):
    # Every chunk arrives well within the read timeout, the whole answer does not.
    patient = ChatClient(config, replace(options, read_timeout=1.0, retries=0))
    server.script(Drip(chunks=40, interval=0.1))
    try:
        with pytest.raises(EndpointUnavailable, match="did not answer within 1 s"):
            patient.complete(MESSAGES)
    finally:
        patient.close()


def test_retries_back_off_exponentially_between_attempts(server, client, options):
    server.script(ServerError(), ServerError(), ServerError())
    client.complete(MESSAGES)
    starts = [r.started for r in server.requests]
    ends = [r.ended for r in server.requests]
    gaps = [start - end for start, end in zip(starts[1:], ends[:-1], strict=True)]
    # Retry k waits at least half of base × 2^k (the other half is jitter).
    for attempt, gap in enumerate(gaps):
        assert gap >= options.backoff_base * 2**attempt / 2
    assert len(server.requests) == 4


def test_the_backoff_has_jitter_within_half_and_all_of_the_exponential_step_and_a_cap(config):
    options = ClientSettings(
        connect_timeout=1, read_timeout=1, retries=10, backoff_base=1.0, backoff_max=30.0, concurrency=1
    )
    client = ChatClient(config, options, rng=random.Random(7))
    delays = [[client.backoff(attempt, None) for _ in range(50)] for attempt in range(7)]
    client.close()
    for attempt, tries in enumerate(delays):
        step = min(30.0, 2.0**attempt)
        assert all(step / 2 <= delay <= step for delay in tries)
        assert len(set(tries)) > 40  # not one fixed value: parallel retries spread out
    assert max(delays[6]) <= 30.0


def test_retry_after_in_seconds_is_waited_for(server, client):
    server.script(RateLimited(retry_after="0.3"))
    client.complete(MESSAGES)
    first, second = server.requests
    assert second.started - first.ended >= 0.3


def test_retry_after_as_an_http_date_is_understood():
    in_future = formatdate(timeval=time.time() + 20, usegmt=True)
    assert 15 <= _retry_after(httpx.Response(429, headers={"Retry-After": in_future})) <= 20
    assert _retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Response(429)) is None


def test_a_retry_after_longer_than_the_backoff_maximum_gives_up_instead_of_sleeping(server, client):
    server.script(RateLimited(retry_after="3600"))
    with pytest.raises(EndpointUnavailable, match="asked to wait 3600 s") as caught:
        client.complete(MESSAGES)
    assert str(caught.value).startswith("The endpoint is rate limiting requests (HTTP 429).")
    assert "EVAL_ENDPOINT_BACKOFF_MAX_SECONDS (0.5 s)" in str(caught.value)
    assert caught.value.status_code == 429
    assert len(server.requests) == 1


def test_after_the_last_retry_the_error_says_what_happened_and_how_often_it_was_tried(server, client):
    server.script(*[ServerError(503)] * 4)
    with pytest.raises(EndpointUnavailable) as caught:
        client.complete(MESSAGES)
    assert str(caught.value) == (
        "The endpoint failed (HTTP 503). The endpoint said: The server had an error. Gave up after 4 attempts."
    )
    assert caught.value.status_code == 503
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (400, RequestRefused, "The endpoint refused the request (HTTP 400). The endpoint said: Bad temperature."),
        (404, RequestRefused, "no model “fake-coder-1” (HTTP 404)"),
        (403, ApiKeyRefused, "refused access with this API key (HTTP 403)"),
        (422, RequestRefused, "HTTP 422"),
        (413, RequestRefused, "HTTP 413"),
        (301, RequestRefused, "redirects are not followed"),
    ],
)
def test_a_refusal_is_not_retried_and_raises_a_typed_error(server, client, status, error, expected):
    server.script(Status(status, "Bad temperature."))
    with pytest.raises(error) as caught:
        client.complete(MESSAGES)
    assert expected in str(caught.value)
    assert caught.value.status_code == status
    assert not caught.value.retryable
    assert len(server.requests) == 1


def test_a_wrong_key_is_refused_once_with_a_sentence_for_the_run(server, config, options):
    wrong = ChatClient(replace(config, api_key=Secret("sk-wrong-0123456789abcdef")), options)
    with pytest.raises(ApiKeyRefused) as caught:
        wrong.complete(MESSAGES)
    wrong.close()
    assert str(caught.value) == (
        "The endpoint refused the API key (HTTP 401). Enter the key again in the endpoint's settings."
    )
    assert "0123456789abcdef" not in str(caught.value)
    assert len(server.requests) == 1


def test_a_missing_key_where_one_is_needed_says_so(server, config, options):
    keyless = ChatClient(replace(config, api_key=None), options)
    with pytest.raises(ApiKeyRefused, match="requires an API key"):
        keyless.complete(MESSAGES)
    keyless.close()


def test_a_base_url_without_v1_gets_a_404_that_says_to_check_it(server, config, options):
    wrong = ChatClient(replace(config, base_url=f"http://127.0.0.1:{server.port}"), options)
    with pytest.raises(RequestRefused, match=r"check the base URL \(it usually ends in /v1\)"):
        wrong.complete(MESSAGES)
    wrong.close()


def test_a_server_that_is_not_listening_is_retried_then_reported(config, options):
    gone = ChatClient(replace(config, base_url=f"http://127.0.0.1:{free_port()}/v1"), replace(options, retries=1))
    with pytest.raises(EndpointUnavailable, match=r"Could not reach the endpoint \(.*refused.*\)\. Gave up after 2"):
        gone.complete(MESSAGES)
    gone.close()


def test_samples_use_n_when_the_server_honours_it(server, client):
    assert len(client.samples(MESSAGES, 5)) == 5
    assert [r.body.get("n") for r in server.requests] == [5]
    assert client.n_supported is True


def test_samples_fall_back_to_one_request_per_answer_when_n_is_refused(tasks, options):
    with FakeOpenAI(api_key=API_KEY, n_mode="refuse", responder=scripted("a", "b", "c", "d")) as refusing:
        config = EndpointConfig(
            base_url=refusing.base_url, model="m", temperature=1, max_tokens=9, api_key=Secret(API_KEY)
        )
        client = ChatClient(config, options)
        answers = client.samples(MESSAGES, 3)
        again = client.samples(MESSAGES, 2)
        client.close()
        statuses = [(r.body.get("n"), r.status) for r in refusing.requests]
    assert [a.text for a in answers + again] == ["a", "b", "c", "d", "a"]
    # One refusal, then one answer per request, also for the next task: the client remembers.
    assert statuses == [(3, 400), (None, 200), (None, 200), (None, 200), (None, 200), (None, 200)]


def test_samples_fall_back_when_the_server_ignores_n_and_sends_one_choice(tasks, options):
    with FakeOpenAI(api_key=None, n_mode="ignore", responder=scripted("a", "b", "c")) as ignoring:
        config = EndpointConfig(base_url=ignoring.base_url, model="m", temperature=1, max_tokens=9)
        client = ChatClient(config, options)
        answers = client.samples(MESSAGES, 3)
        client.close()
        asked = [r.body.get("n") for r in ignoring.requests]
    assert [a.text for a in answers] == ["a", "b", "c"]
    assert asked == [3, None, None]
    assert client.n_supported is False


def test_a_400_that_is_not_about_n_stands_after_the_one_answer_retry(server, client):
    server.script(Status(400, "max_tokens is too large"), Status(400, "max_tokens is too large"))
    with pytest.raises(RequestRefused, match="max_tokens is too large"):
        client.samples(MESSAGES, 3)
    assert [r.body.get("n") for r in server.requests] == [3, None]


def test_answers_are_read_in_choice_order_from_the_shapes_servers_send():
    data = {
        "choices": [
            {"index": 1, "message": {"role": "assistant", "content": "second"}, "finish_reason": "length"},
            {"index": 0, "message": {"content": [{"type": "text", "text": "fir"}, {"text": "st"}]}},
            {"index": 2, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"},
            {"index": 3, "text": "legacy"},
        ]
    }
    answers = parse_answers(data)
    assert [a.text for a in answers] == ["first", "second", "", "legacy"]
    assert answers[1].finish_reason == "length"
    assert parse_answers({"choices": []}) is None
    assert parse_answers({"choices": [{"message": {"content": 42}}]}) is None


def test_errors_read_as_their_message_and_carry_whether_they_are_worth_retrying():
    error = TransientError("The endpoint failed (HTTP 500).", status_code=500)
    assert str(error) == "The endpoint failed (HTTP 500)."
    assert repr(error) == "TransientError('The endpoint failed (HTTP 500).')"
    assert error.retryable and not RequestRefused("x").retryable
