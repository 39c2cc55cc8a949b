"""One model endpoint over HTTP: POST {base_url}/chat/completions with timeouts, retries with backoff and
jitter, and typed errors whose text never holds the API key.

Retried (up to EVAL_ENDPOINT_RETRIES times): 408, 409, 425, 429, 5xx, timeouts, dropped connections and
answers that are not the JSON the protocol promises. Never retried: 400, 401, 403, 404 and other 4xx and
redirects, which another attempt cannot fix. `samples()` asks for n answers in one request and falls back
to one request per answer for servers that refuse `n` or ignore it.
"""

import email.utils
import json
import logging
import random
import ssl
import threading
import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from evaluations.endpoint import urls
from evaluations.endpoint.errors import (
    ApiKeyRefused,
    CancelledByRun,
    EndpointMisconfigured,
    EndpointUnavailable,
    RequestRefused,
    TransientError,
)
from evaluations.endpoint.secrets import Redactor, Secret, http_log_redaction

logger = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({408, 409, 425, 429})
# Generous for max_tokens × n answers; a server sending more is broken (or hostile) and is cut off.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# How much of a server's error text is quoted in an error message.
QUOTE_CHARS = 300
USER_AGENT = "Hazlog-evaluations/1"


@dataclass(frozen=True)
class ClientSettings:
    """How hard the client tries; from the EVAL_ENDPOINT_* settings unless a caller (a test) gives its own."""

    connect_timeout: float
    read_timeout: float
    retries: int
    backoff_base: float
    backoff_max: float
    concurrency: int
    ca_bundle: str = ""  # a PEM file of CAs for HTTPS endpoints; empty: certifi's public CAs

    @classmethod
    def from_django(cls) -> "ClientSettings":
        chosen = cls(
            connect_timeout=settings.HAZLOG_EVAL_ENDPOINT_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.HAZLOG_EVAL_ENDPOINT_READ_TIMEOUT_SECONDS,
            retries=settings.HAZLOG_EVAL_ENDPOINT_RETRIES,
            backoff_base=settings.HAZLOG_EVAL_ENDPOINT_BACKOFF_BASE_SECONDS,
            backoff_max=settings.HAZLOG_EVAL_ENDPOINT_BACKOFF_MAX_SECONDS,
            concurrency=settings.HAZLOG_EVAL_ENDPOINT_CONCURRENCY,
            ca_bundle=settings.HAZLOG_EVAL_ENDPOINT_CA_BUNDLE,
        )
        chosen.validate()
        return chosen

    def validate(self) -> None:
        problems = [
            (self.connect_timeout > 0, "EVAL_ENDPOINT_CONNECT_TIMEOUT_SECONDS must be more than 0"),
            (self.read_timeout > 0, "EVAL_ENDPOINT_READ_TIMEOUT_SECONDS must be more than 0"),
            (self.retries >= 0, "EVAL_ENDPOINT_RETRIES must be 0 or more"),
            (self.backoff_base >= 0, "EVAL_ENDPOINT_BACKOFF_BASE_SECONDS must be 0 or more"),
            (self.backoff_max >= self.backoff_base, "EVAL_ENDPOINT_BACKOFF_MAX_SECONDS must be at least the base"),
            (self.concurrency >= 1, "EVAL_ENDPOINT_CONCURRENCY must be 1 or more"),
        ]
        if self.ca_bundle:
            try:
                ssl.create_default_context(cafile=self.ca_bundle)
            except (OSError, ssl.SSLError):
                problems.append((False, f"EVAL_ENDPOINT_CA_BUNDLE: {self.ca_bundle} is not a readable PEM file of CAs"))
        failed = [message for ok, message in problems if not ok]
        if failed:
            raise ImproperlyConfigured("; ".join(failed) + ".")


@dataclass(frozen=True)
class EndpointConfig:
    """What one project's endpoint asks for. The key is a Secret, so this prints without it."""

    base_url: str
    model: str
    temperature: float
    max_tokens: int
    api_key: Secret | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Answer:
    """One choice of a chat completion: the answer's text and why the model stopped ("stop", "length"…)."""

    text: str
    finish_reason: str


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), or None without a usable one."""
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _content_text(content) -> str | None:
    """A message's content as text: a string, null (no answer) or a list of text parts; None if neither."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(str(part.get("text", "")) for part in content if part.get("type", "text") == "text")
    return None


def parse_answers(data) -> list[Answer] | None:
    """The answers of a chat completion response in choice order, or None if it is not that shape."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        return None
    answers = []
    for position, choice in enumerate(choices):
        if not isinstance(choice, dict):
            return None
        message = choice.get("message")
        text = _content_text(message.get("content")) if isinstance(message, dict) else None
        if text is None and isinstance(choice.get("text"), str):
            text = choice["text"]  # servers that answer in the legacy completions shape
        if text is None:
            return None
        index = choice.get("index")
        order = index if isinstance(index, int) else position
        answers.append((order, position, Answer(text=text, finish_reason=str(choice.get("finish_reason") or ""))))
    return [answer for _, _, answer in sorted(answers, key=lambda item: item[:2])]


class ChatClient:
    """Calls one endpoint; safe to share between the threads of one run (httpx.Client is)."""

    def __init__(
        self,
        config: EndpointConfig,
        options: ClientSettings,
        *,
        cancelled: threading.Event | None = None,
        rng: random.Random | None = None,
    ):
        self.config = config
        self.options = options
        self._cancelled = cancelled or threading.Event()
        self._rng = rng or random.Random()
        self._redact = Redactor(config.api_key)
        http_log_redaction.add(self._redact)
        # None until a request with n > 1 shows whether the server honours it; shared by the run's threads.
        self.n_supported: bool | None = None
        self._http = httpx.Client(
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.read_timeout,
            ),
            limits=httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency),
            verify=ssl.create_default_context(cafile=options.ca_bundle) if options.ca_bundle else True,
            follow_redirects=False,
            # No proxy or certificate settings from the worker's environment: the checked address is the one used.
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()
        http_log_redaction.discard(self._redact)

    def __repr__(self) -> str:
        return f"ChatClient({self.config.base_url!r}, model={self.config.model!r})"

    # --- several answers to one prompt --------------------------------------------------------------

    def samples(self, messages: list[dict], count: int) -> list[Answer]:
        """`count` answers to the same messages, in as few requests as the server allows."""
        answers: list[Answer] = []
        while len(answers) < count:
            if self._cancelled.is_set():
                raise CancelledByRun("Cancelled.")
            wanted = count - len(answers)
            n = wanted if self.n_supported is not False else 1
            try:
                got = self.complete(messages, n=n)
            except RequestRefused as exc:
                if n == 1 or exc.status_code not in (400, 422):
                    raise
                # Some servers refuse `n` outright; if one answer at a time is refused too, that error stands.
                logger.info("Model endpoint %s refused n=%d; asking one answer per request.", self.config.base_url, n)
                self.n_supported = False
                continue
            if n > 1:
                self.n_supported = len(got) > 1
            answers.extend(got[:wanted])
        return answers

    # --- one request, retried -----------------------------------------------------------------------

    def complete(self, messages: list[dict], *, n: int = 1) -> list[Answer]:
        """The answers of one chat completion request, retrying transient failures with backoff."""
        attempt = 0
        while True:
            try:
                return self._attempt(messages, n)
            except TransientError as exc:
                if attempt >= self.options.retries:
                    raise EndpointUnavailable(
                        f"{exc.message} Gave up after {attempt + 1} attempt{'s' if attempt else ''}.",
                        status_code=exc.status_code,
                    ) from None
                if exc.retry_after is not None and exc.retry_after > self.options.backoff_max:
                    raise EndpointUnavailable(
                        f"{exc.message} It asked to wait {exc.retry_after:.0f} s before trying again, longer than "
                        f"EVAL_ENDPOINT_BACKOFF_MAX_SECONDS ({self.options.backoff_max:g} s): raise the endpoint's "
                        "rate limit or lower EVAL_ENDPOINT_CONCURRENCY.",
                        status_code=exc.status_code,
                    ) from None
                delay = self.backoff(attempt, exc.retry_after)
                logger.warning(
                    "Model endpoint %s: %s Retry %d of %d in %.2f s.",
                    self.config.base_url,
                    exc.message,
                    attempt + 1,
                    self.options.retries,
                    delay,
                )
                # Waiting on the run's cancel event, so a cancelled run does not sit out a long backoff.
                if self._cancelled.wait(delay):
                    raise CancelledByRun("Cancelled while waiting to retry.") from None
                attempt += 1

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry `attempt + 1`: the server's Retry-After, or exponential with equal jitter."""
        if retry_after is not None:
            return retry_after
        # Half fixed, half random: attempts from parallel requests spread out, yet each waits at least half.
        cap = min(self.options.backoff_max, self.options.backoff_base * 2**attempt)
        return cap / 2 + self._rng.uniform(0, cap / 2)

    def _request(self, messages: list[dict], n: int) -> httpx.Request:
        target = urls.target(self.config.base_url)
        body = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if n > 1:
            body["n"] = n  # left out for one answer: some servers refuse the parameter altogether
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key.reveal()}"
        extensions = {"sni_hostname": target.tls_hostname} if target.tls_hostname else {}
        return self._http.build_request(
            "POST", target.url, headers=headers, content=json.dumps(body).encode(), extensions=extensions
        )

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise TransientError(f"The endpoint's answer is larger than {MAX_RESPONSE_BYTES // 2**20} MiB.")
            # httpx's read timeout restarts at every chunk; the answer as a whole gets the read timeout too.
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("answer not complete within the read timeout")
            chunks.append(chunk)
        return b"".join(chunks)

    def _attempt(self, messages: list[dict], n: int) -> list[Answer]:
        request = self._request(messages, n)
        timeouts = self.options
        try:
            response = self._http.send(request, stream=True)
            try:
                deadline = time.monotonic() + timeouts.read_timeout
                content = self._read(response, deadline)
            finally:
                response.close()
        except httpx.ConnectTimeout:
            raise TransientError(f"Could not connect to the endpoint within {timeouts.connect_timeout:g} s.") from None
        except httpx.TimeoutException:
            raise TransientError(f"The endpoint did not answer within {timeouts.read_timeout:g} s.") from None
        except httpx.TransportError as exc:
            # httpx's text names the socket or TLS error ("Connection refused"), never a header.
            detail = self._redact(str(exc))[:QUOTE_CHARS] or type(exc).__name__
            if "CERTIFICATE_VERIFY_FAILED" in detail:
                # Another attempt meets the same certificate: the URL, or the CA the workers trust, must change.
                raise EndpointMisconfigured(
                    f"The endpoint's TLS certificate was not accepted ({detail}). If it is signed by your own "
                    "certificate authority, the administrator names it in EVAL_ENDPOINT_CA_BUNDLE."
                ) from None
            raise TransientError(f"Could not reach the endpoint ({detail}).") from None
        return self._answers(response, content, n)

    def _quote(self, content: bytes) -> str:
        """The server's own words from an error body (its `error.message` if JSON), key redacted, shortened."""
        text = content[:4096].decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            error = data.get("error")
            message = error.get("message") if isinstance(error, dict) else error
            if isinstance(message, str) and message:
                text = message
        text = " ".join(self._redact(text).split())
        return text[:QUOTE_CHARS] + ("…" if len(text) > QUOTE_CHARS else "")

    def _answers(self, response: httpx.Response, content: bytes, n: int) -> list[Answer]:
        status = response.status_code
        model = self.config.model
        if 200 <= status < 300:
            try:
                data = json.loads(content)
            except ValueError:
                raise TransientError(
                    f"The endpoint's answer is not JSON (HTTP {status}).", status_code=status
                ) from None
            answers = parse_answers(data)
            if answers is None:
                said = f" It said: {self._quote(content)}" if isinstance(data, dict) and "error" in data else ""
                raise TransientError(
                    f"The endpoint's answer is not a chat completion (no usable choices, HTTP {status}).{said}",
                    status_code=status,
                )
            return answers
        said = self._quote(content)
        said = f" The endpoint said: {said}" if said else ""
        if status in (401, 403):
            if not self.config.api_key:
                raise ApiKeyRefused(
                    f"The endpoint requires an API key (HTTP {status}) and none is set for it.", status_code=status
                )
            if status == 401:
                raise ApiKeyRefused(
                    "The endpoint refused the API key (HTTP 401). Enter the key again in the endpoint's settings.",
                    status_code=status,
                )
            raise ApiKeyRefused(
                f"The endpoint refused access with this API key (HTTP 403): the key may not give access to the "
                f"model “{model}”.",
                status_code=status,
            )
        if 300 <= status < 400:
            location = self._redact(response.headers.get("location", ""))[:QUOTE_CHARS]
            raise RequestRefused(
                f"The endpoint answered with a redirect (HTTP {status} to {location or 'nowhere'}); redirects are not "
                "followed: set the base URL to where it points.",
                status_code=status,
            )
        if status == 429 or status in RETRIED_STATUSES or status >= 500:
            what = "is rate limiting requests" if status == 429 else "failed"
            raise TransientError(
                f"The endpoint {what} (HTTP {status}).{said}", status_code=status, retry_after=_retry_after(response)
            )
        if status == 404:
            raise RequestRefused(
                f"The endpoint has no chat completions at this base URL or no model “{model}” (HTTP 404): check the "
                f"base URL (it usually ends in /v1) and the model name.{said}",
                status_code=status,
            )
        raise RequestRefused(f"The endpoint refused the request (HTTP {status}).{said}", status_code=status)
