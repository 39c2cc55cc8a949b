"""One HTTP POST to a webhook receiver, connected to an address the SSRF guard approved.

The connection goes to the checked IP address itself (TLS still verifies the host name), so a DNS answer
that changes between the check and the connection cannot redirect it; redirects are not followed.
"""

import base64
import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from assessments.webhooks import netguard

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Result:
    status_code: int | None
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Result:
    start = time.monotonic()

    def done(status_code: int | None, error: str = "") -> Result:
        return Result(status_code, int((time.monotonic() - start) * 1000), error[:MAX_ERROR_CHARS])

    try:
        addresses = netguard.safe_addresses(url)
    except netguard.UnsafeUrl as exc:
        return done(None, f"Not sent: {exc}")
    parts = urlsplit(url)
    scheme, host, port = netguard.target(url)
    headers = dict(headers)
    if parts.username:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = cls(host, port, timeout=timeout, address=addresses[0])
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4096).decode("utf-8", "replace")
        if 300 <= response.status < 400:
            return done(response.status, f"Redirects are not followed (Location: {response.getheader('Location')}).")
        if not 200 <= response.status < 300:
            return done(response.status, f"HTTP {response.status}: {text}")
        return done(response.status)
    except (OSError, http.client.HTTPException) as exc:
        return done(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
