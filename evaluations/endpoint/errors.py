"""The typed errors a run records when the model endpoint fails; their text is safe to show, store and log.

Every message is written by Hazlog (a server's own error text is quoted only after the key was redacted from
it, see `secrets.Redactor`), so no API key ever reaches an event, a run's error field or a log line.
"""


class EndpointError(Exception):
    """The endpoint could not give the completions; `str()` is a sentence for the run's error field."""

    retryable = False

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class EndpointMisconfigured(EndpointError):
    """The endpoint's settings cannot work (base URL refused by the SSRF guard, unreadable API key)."""


class ApiKeyRefused(EndpointError):
    """401 or 403: the key is wrong, expired or lacks access. Retrying cannot help."""


class RequestRefused(EndpointError):
    """400, 404 and other 4xx, or a redirect: the request or base URL is wrong. Retrying cannot help."""


class TransientError(EndpointError):
    """A failure worth another attempt: 429, 5xx, a timeout, a dropped connection, a malformed answer."""

    retryable = True

    def __init__(self, message: str, *, status_code: int | None = None, retry_after: float | None = None):
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class EndpointUnavailable(EndpointError):
    """Transient failures went on after every retry (for one task, or for several tasks in a row)."""


class CancelledByRun(EndpointError):
    """A retry was abandoned because the run was cancelled; never recorded as a failure."""
