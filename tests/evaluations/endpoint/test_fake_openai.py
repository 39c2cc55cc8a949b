"""The protocol server other tests rely on behaves as its docstring promises, seen with a plain HTTP client."""

import httpx
import pytest

from tests.evaluations.fake_openai import FakeOpenAI, RateLimited, Status, reference_answers, scripted

BODY = {"model": "m", "messages": [{"role": "user", "content": "hello"}], "n": 2}


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as client:
        yield client


def test_it_answers_the_chat_protocol_with_n_choices_and_records_the_request(http):
    with FakeOpenAI(api_key="sk-a", responder=scripted("one", "two")) as server:
        response = http.post(f"{server.base_url}/chat/completions", json=BODY, headers={"Authorization": "Bearer sk-a"})
        (recorded,) = server.requests
    data = response.json()
    assert response.status_code == 200 and data["object"] == "chat.completion"
    assert [c["message"]["content"] for c in data["choices"]] == ["one", "two"]
    assert recorded.body == BODY and recorded.authorization == "Bearer sk-a" and recorded.status == 200
    assert recorded.ended >= recorded.started


def test_a_wrong_key_gets_401_and_an_unknown_path_404(http):
    with FakeOpenAI(api_key="sk-a") as server:
        wrong = http.post(f"{server.base_url}/chat/completions", json=BODY, headers={"Authorization": "Bearer sk-b"})
        unknown = http.post(f"{server.base_url}/completions", json=BODY, headers={"Authorization": "Bearer sk-a"})
    assert wrong.status_code == 401 and "sk-b" in wrong.json()["error"]["message"]
    assert unknown.status_code == 404


def test_scripted_behaviours_apply_to_the_next_requests_in_order_then_answers_resume(http):
    with FakeOpenAI(api_key=None) as server:
        server.script(RateLimited(retry_after="7"), Status(418, "teapot"))
        statuses = [http.post(f"{server.base_url}/chat/completions", json=BODY) for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 418, 200]
    assert statuses[0].headers["retry-after"] == "7"
    assert [r.behaviour for r in server.requests] == ["RateLimited", "Status", "Answer"]


@pytest.mark.parametrize(("mode", "status", "choices"), [("ignore", 200, 1), ("refuse", 400, None)])
def test_n_can_be_ignored_or_refused(http, mode, status, choices):
    with FakeOpenAI(api_key=None, n_mode=mode) as server:
        response = http.post(f"{server.base_url}/chat/completions", json=BODY)
    assert response.status_code == status
    if choices:
        assert len(response.json()["choices"]) == choices


def test_the_reference_responder_answers_each_task_with_its_solution(http, tasks):
    with FakeOpenAI(api_key=None, responder=reference_answers(tasks, wrong={"demo/1"})) as server:
        def ask(task):
            body = {"model": "m", "messages": [{"role": "user", "content": f"Complete:\n{task.prompt}"}]}
            return http.post(f"{server.base_url}/chat/completions", json=body).json()["choices"][0]["message"]
        right, wrong = ask(tasks[0])["content"], ask(tasks[1])["content"]
    assert tasks[0].reference in right and "```python" in right
    assert "    pass" in wrong and tasks[1].reference not in wrong
