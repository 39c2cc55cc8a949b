"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread that records what it gets."""

import http.server
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """Answers each POST with the next status in `statuses` (the last one repeats)."""

    statuses: list[int] = field(default_factory=lambda: [200])
    redirect_to: str = ""
    hold: threading.Event | None = None  # when set up, the first request waits for it before answering
    down: bool = False  # an outage: every request gets a 503 while it lasts
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                index = min(len(receiver.requests) + 1, len(receiver.statuses)) - 1
                status = 503 if receiver.down else receiver.statuses[index]
                receiver.requests.append(Received(self.path, dict(self.headers), body, status))
                receiver.arrived.set()
                if receiver.hold is not None and len(receiver.requests) == 1:
                    receiver.hold.wait(60)
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hazlog"

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
