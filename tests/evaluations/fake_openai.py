"""A real OpenAI-compatible chat completions server on 127.0.0.1 for tests, with scripted misbehaviour.

    with FakeOpenAI(api_key="sk-test", responder=reference_answers(tasks)) as server:
        server.script(RateLimited(retry_after="1"), ServerError(), Malformed())  # the next three requests
        ... point an endpoint at server.base_url (settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = True) ...
        assert server.requests[0].authorization == "Bearer sk-test"

- `responder(request: ChatRequest) -> str | list[str]` writes the answers (one string for every choice, or one
  per choice); `reference_answers(tasks)` answers each task with its reference solution in a fenced block,
  `scripted(*texts)` answers with the given texts in turn. Default: a fenced `pass`.
- Behaviours, one per request in the order scripted (`script(...)`), then normal answers: `Answer()`,
  `Slow(seconds)` (answers after a delay; released when the server stops), `RateLimited(retry_after=None)`,
  `ServerError(status=500)`, `Status(code, message, headers=None)`, `Malformed()` (200, not JSON), `MissingChoices()`,
  `WrongShape(payload)` (200 with any JSON), `Drip(chunks, interval)` (a valid answer sent a few bytes at a
  time), `Disconnect()` (closes the connection without answering).
- `tls=ssl_context` serves HTTPS (with the context's certificate) instead of plain HTTP.
- A wrong or missing key gets 401 with the presented key echoed in the body, as some servers do, so tests
  prove the client never repeats it. `n_mode`: "honour" (n choices), "ignore" (always one), "refuse" (400).
- `requests` records every request (headers, parsed body, start and end times, the status sent);
  `max_in_flight` is the most requests handled at once; `hold_until(k)` makes the first requests wait until
  k are in flight together, which proves a client really runs k at once.
"""

import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHAT_PATH = "/chat/completions"


@dataclass(frozen=True)
class Answer:
    pass


@dataclass(frozen=True)
class Slow:
    seconds: float


@dataclass(frozen=True)
class RateLimited:
    retry_after: str | None = None


@dataclass(frozen=True)
class ServerError:
    status: int = 500


@dataclass(frozen=True)
class Status:
    code: int
    message: str = "Refused."
    headers: dict | None = None


@dataclass(frozen=True)
class Malformed:
    pass


@dataclass(frozen=True)
class MissingChoices:
    pass


@dataclass(frozen=True)
class WrongShape:
    payload: object


@dataclass(frozen=True)
class Drip:
    chunks: int = 20
    interval: float = 0.1


@dataclass(frozen=True)
class Disconnect:
    pass


@dataclass(frozen=True)
class ChatRequest:
    """What the responder sees of one request."""

    model: str
    messages: list
    n: int  # the number of choices the server will answer with
    temperature: float | None
    max_tokens: int | None

    @property
    def prompt(self) -> str:
        """The last user message."""
        users = [m.get("content", "") for m in self.messages if isinstance(m, dict) and m.get("role") == "user"]
        return users[-1] if users else ""


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    raw_body: bytes
    body: object  # parsed JSON, or None
    started: float  # time.monotonic()
    behaviour: str = "Answer"
    status: int | None = None
    ended: float | None = None

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")


def scripted(*texts: str):
    """A responder answering with these texts in turn (cycling), one per choice."""
    lock, counter = threading.Lock(), [0]

    def respond(request: ChatRequest) -> list[str]:
        answers = []
        with lock:
            for _ in range(request.n):
                answers.append(texts[counter[0] % len(texts)])
                counter[0] += 1
        return answers

    return respond


def reference_answers(tasks, *, wrong: set[str] = frozenset()):
    """A responder that finds the task whose prompt is in the request and answers with its reference solution
    (prompt + reference, as a chat model repeats the function) in a fenced block; tasks in `wrong` get `pass`."""

    def respond(request: ChatRequest) -> str:
        for task in tasks:
            if task.prompt.strip() in request.prompt:
                body = "    pass\n" if task.task_id in wrong else task.reference
                return f"Here is the function:\n\n```python\n{task.prompt}{body}```\n"
        return "I do not know this task."

    return respond


def _default_responder(request: ChatRequest) -> str:
    return "```python\npass\n```"


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    script: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    gate_size: int = 0
    gate_timeout: float = 0.0
    gate_open: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    counter: int = 0


class FakeOpenAI:
    """The server; use as a context manager (or start()/stop())."""

    def __init__(self, *, api_key: str | None = "sk-fake-key", responder=None, n_mode: str = "honour",
                 prefix: str = "/v1", tls: ssl.SSLContext | None = None):
        if n_mode not in ("honour", "ignore", "refuse"):
            raise ValueError(n_mode)
        self.api_key = api_key
        self.responder = responder or _default_responder
        self.n_mode = n_mode
        self.prefix = prefix
        self._state = _State()
        self._state.gate_open.set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )

    # --- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        self._state.gate_open.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what tests use -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{self.prefix}"

    def script(self, *behaviours) -> None:
        """Behaviours for the next requests, one each, in order (after any still scripted)."""
        with self._state.lock:
            self._state.script.extend(behaviours)

    def hold_until(self, in_flight: int, *, timeout: float = 10.0) -> None:
        """Make requests wait until `in_flight` of them are being handled at once (or `timeout` passes)."""
        with self._state.lock:
            self._state.gate_size = in_flight
            self._state.gate_timeout = timeout
            self._state.gate_open.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(CHAT_PATH)]

    @property
    def max_in_flight(self) -> int:
        return self._state.max_in_flight

    # --- inside the server ----------------------------------------------------------------------------
    def _next_behaviour(self):
        with self._state.lock:
            return self._state.script.pop(0) if self._state.script else Answer()

    def _enter(self, recorded: Recorded) -> None:
        state = self._state
        with state.lock:
            state.requests.append(recorded)
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
            if state.gate_size and state.in_flight >= state.gate_size:
                state.gate_open.set()
        if not state.gate_open.is_set():
            state.gate_open.wait(state.gate_timeout)

    def _leave(self, recorded: Recorded, status: int | None) -> None:
        with self._state.lock:
            self._state.in_flight -= 1
            recorded.status = status
            recorded.ended = time.monotonic()

    def _completion(self, request: ChatRequest) -> dict:
        choices = request.n if self.n_mode == "honour" else 1
        answers = self.responder(replace(request, n=choices))
        if isinstance(answers, str):
            answers = [answers] * choices
        answers = [answers[i % len(answers)] for i in range(choices)]
        with self._state.lock:
            self._state.counter += 1
            number = self._state.counter
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model,
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                for i, text in enumerate(answers)
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10 * choices, "total_tokens": 10 + 10 * choices},
        }


def _error(message: str, kind: str = "invalid_request_error", param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


def _handler_for(server: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # idle keep-alive connections end on their own
        # Headers and body go out in two writes; with Nagle the body waits for the client's delayed ACK (40 ms).
        disable_nagle_algorithm = True

        def log_message(self, format, *args):
            pass

        def _send(self, status: int, payload, headers: dict | None = None) -> int:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            return status

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            recorded = Recorded(
                method="POST",
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                raw_body=raw,
                body=body,
                started=time.monotonic(),
            )
            server._enter(recorded)
            status = None
            try:
                status = self._respond(recorded, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its read timeout) before the answer
            finally:
                server._leave(recorded, status)
                if status is None:
                    # No (complete) answer was sent: close, so the client sees it now rather than at its timeout.
                    self.close_connection = True

        def _respond(self, recorded: Recorded, body) -> int | None:
            if self.path != server.prefix + CHAT_PATH:
                return self._send(404, _error(f"Unknown path {self.path}.", "not_found"))
            if server.api_key is not None and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                presented = self.headers.get("Authorization", "").removeprefix("Bearer ")
                return self._send(401, _error(f"Incorrect API key provided: {presented}.", "invalid_api_key"))
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                return self._send(400, _error("messages is required."))
            request = ChatRequest(
                model=str(body.get("model", "")),
                messages=body["messages"],
                n=int(body.get("n", 1)),
                temperature=body.get("temperature"),
                max_tokens=body.get("max_tokens"),
            )
            if server.n_mode == "refuse" and "n" in body and request.n != 1:
                return self._send(400, _error("Only n=1 is supported.", param="n"))
            behaviour = server._next_behaviour()
            recorded.behaviour = type(behaviour).__name__
            return self._behave(behaviour, request)

        def _behave(self, behaviour, request: ChatRequest) -> int | None:
            match behaviour:
                case Slow(seconds):
                    if server._state.stopping.wait(seconds):
                        return None
                    return self._send(200, server._completion(request))
                case RateLimited(retry_after):
                    headers = {"Retry-After": retry_after} if retry_after is not None else {}
                    return self._send(429, _error("Rate limit reached.", "rate_limit_exceeded"), headers)
                case ServerError(status):
                    return self._send(status, _error("The server had an error.", "server_error"))
                case Status(code, message, headers):
                    return self._send(code, _error(message), headers)
                case Malformed():
                    return self._send(200, b'{"id": "chatcmpl-broken", "choices": [{"message": ')
                case MissingChoices():
                    return self._send(200, {"id": "chatcmpl-empty", "object": "chat.completion"})
                case WrongShape(payload):
                    return self._send(200, payload)
                case Drip(chunks, interval):
                    body = json.dumps(server._completion(request)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    step = max(1, len(body) // chunks)
                    for start in range(0, len(body), step):
                        if server._state.stopping.wait(interval):
                            return None
                        self.wfile.write(body[start : start + step])
                        self.wfile.flush()
                    return 200
                case Disconnect():
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                case _:
                    return self._send(200, server._completion(request))

    return Handler
