"""The endpoints' API keys at rest (Fernet, with key rotation) and in memory (a wrapper that never prints them).

Keys come from EVAL_ENDPOINT_ENCRYPTION_KEYS (newest first: the first encrypts, every one decrypts). Without
it, a key derived from SECRET_KEY encrypts and keys derived from SECRET_KEY_FALLBACKS also decrypt, so Django's
own SECRET_KEY rotation carries stored API keys along; production should still set the dedicated setting, so
that a new SECRET_KEY without its fallback cannot make every stored API key unreadable.
"""

import base64
import logging
import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from evaluations.endpoint.errors import EndpointMisconfigured

# Binds the derived key to this one use, so it differs from anything else derived from SECRET_KEY.
_DERIVATION_INFO = b"hazlog/evaluations/endpoint-api-keys/v1"
# A fragment of the key this long is redacted from quoted server text as if it were the whole key.
_FRAGMENT = 8
REDACTED = "[redacted]"


class SecretUnreadable(EndpointMisconfigured):
    """The stored API key was encrypted under a key that is no longer configured (or was altered)."""


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet() -> MultiFernet:
    configured = settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS
    if not configured:
        sources = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return MultiFernet([Fernet(_derived_key(source)) for source in sources if source])
    fernets = []
    for position, key in enumerate(configured, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # The key itself stays out of the message: it is a secret too.
            raise ImproperlyConfigured(
                f"EVAL_ENDPOINT_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes; make one with python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')."
            ) from None
    return MultiFernet(fernets)


def encrypt_secret(plaintext: str) -> str:
    """The token to store for an API key (ASCII, different at every call)."""
    if not plaintext:
        raise ValueError("An empty API key is stored as no key, not encrypted.")
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    """The API key a stored token holds; SecretUnreadable if no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "The stored API key cannot be decrypted with the configured keys: it was encrypted under a key that is "
            "no longer in EVAL_ENDPOINT_ENCRYPTION_KEYS (or, without that setting, under another SECRET_KEY). "
            "Put the old key back after the new one, or enter the API key again."
        ) from None


def rotate_secret(token: str) -> str:
    """The same API key re-encrypted under the newest key (for a re-encryption pass after adding a key)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable("The stored API key cannot be decrypted with the configured keys.") from None


class Secret:
    """An API key in memory. It prints, logs and reprs as a mask and refuses to be pickled (no task payload,
    cache or error report carries it); `reveal()` is the one way to the text, used where the header is built."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("An API key is never pickled.")


class Redactor:
    """Removes a secret, and any fragment of it at least 8 characters long, from text quoted from elsewhere
    (a server's error body may echo the key it refused)."""

    def __init__(self, secret: Secret | None):
        value = secret.reveal() if secret else ""
        width = min(_FRAGMENT, len(value))
        self._width = width
        self._grams = {value[i : i + width] for i in range(len(value) - width + 1)} if value else set()

    def __call__(self, text: str) -> str:
        if not self._grams or not text:
            return text
        width = self._width
        covered = [False] * len(text)
        for start in range(len(text) - width + 1):
            if text[start : start + width] in self._grams:
                covered[start : start + width] = [True] * width
        out, hidden = [], False
        for char, cover in zip(text, covered, strict=True):
            if cover:
                if not hidden:
                    out.append(REDACTED)
                hidden = True
            else:
                out.append(char)
                hidden = False
        return "".join(out)


# The HTTP library's own loggers. httpcore at DEBUG writes every response header as it arrived, so a server that
# echoes the key (in a Location, a cookie, anything) would otherwise put it into the logs.
HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks")


class _HttpLogRedaction(logging.Filter):
    """Redacts the keys of the clients open in this process from the HTTP library's log records."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._active: dict[int, Redactor] = {}

    def add(self, redactor: Redactor) -> None:
        with self._lock:
            self._active[id(redactor)] = redactor

    def discard(self, redactor: Redactor) -> None:
        with self._lock:
            self._active.pop(id(redactor), None)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            redactors = list(self._active.values())
        if redactors:
            original = message = record.getMessage()
            for redact in redactors:
                message = redact(message)
            if message != original:
                record.msg, record.args = message, None
        return True


http_log_redaction = _HttpLogRedaction()
for _name in HTTP_LOGGERS:
    # Filters on a logger do not reach its children, so each logger that writes gets it.
    logging.getLogger(_name).addFilter(http_log_redaction)
