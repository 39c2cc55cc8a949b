"""Base URLs of model endpoints: what a project owner may enter, and the checked address a worker connects to.

The base URL is typed by project owners and called from the workers' network, so it passes the webhooks' SSRF
rule (`assessments.webhooks.netguard`: every address a name resolves to must be public) unless
EVAL_ENDPOINT_ALLOW_PRIVATE allows local model servers. The rule is applied when the URL is entered (a clear
error) and again before every request, on the address the connection then uses (DNS may have changed).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from assessments.webhooks import netguard
from evaluations.endpoint.errors import EndpointMisconfigured, TransientError

CHAT_PATH = "/chat/completions"
EXAMPLE = "https://api.example.com/v1"


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL with the checked address in place of the host name, and the name
    itself for the Host header and for TLS (SNI and certificate check)."""

    url: httpx.URL
    host_header: str
    tls_hostname: str | None


def _form_problem(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number or out of range)
        httpx.URL(url)  # what the request is built from; stricter about control characters and brackets
    except (ValueError, httpx.InvalidURL):
        return f"This is not a valid URL; give the endpoint's base URL, e.g. {EXAMPLE}."
    if parts.scheme not in ("http", "https"):
        return f"The base URL must start with http:// or https://, e.g. {EXAMPLE}."
    if not parts.hostname:
        return f"The base URL has no host name; e.g. {EXAMPLE}."
    if parts.username is not None or parts.password is not None:
        return "Put credentials in the API key field, not in the URL."
    if parts.query or parts.fragment:
        return f"The base URL takes no query string or fragment; e.g. {EXAMPLE}."
    return ""


class _Unresolved(Exception):
    pass


def _allowed_address(host: str, port: int) -> tuple[str, str]:
    """(problem, address): the address to connect to if every address of the host is allowed; _Unresolved
    if the name does not resolve (which may pass: a worker retries it, a form reports it)."""
    try:
        addresses = netguard.resolve(host, port)
    except (OSError, UnicodeError):
        raise _Unresolved(f"{host} could not be resolved.") from None
    if not addresses:
        raise _Unresolved(f"{host} could not be resolved.")
    if not settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE:
        blocked = [address for address in addresses if not netguard.is_public(address)]
        if blocked:
            return (
                f"{host} resolves to a private, loopback or link-local address ({blocked[0]}); model endpoints "
                "must be on public addresses unless the administrator sets EVAL_ENDPOINT_ALLOW_PRIVATE "
                "(for a model server on the local network).",
                "",
            )
    return "", addresses[0]


def problem_with(url: str) -> str:
    """Why this base URL cannot be used, in one sentence for the form; empty if it can."""
    problem = _form_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    try:
        return _allowed_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))[0]
    except _Unresolved as exc:
        return str(exc)


def chat_url(base_url: str) -> str:
    """The chat completions URL of a base URL (".../v1" or the full ".../v1/chat/completions" both work)."""
    base = base_url.rstrip("/")
    return base if base.endswith(CHAT_PATH) else base + CHAT_PATH


def target(base_url: str) -> Target:
    """The checked connection target for a base URL: EndpointMisconfigured if the URL is not allowed,
    TransientError if its name does not resolve just now."""
    problem = _form_problem(base_url)
    if problem:
        raise EndpointMisconfigured(f"The endpoint's base URL cannot be used: {problem}")
    url = httpx.URL(chat_url(base_url))
    host = url.raw_host.decode("ascii")  # IDNA-encoded, as DNS and TLS want it
    try:
        problem, address = _allowed_address(host, url.port or (443 if url.scheme == "https" else 80))
    except _Unresolved as exc:
        raise TransientError(f"The endpoint's host {exc}") from None
    if problem:
        raise EndpointMisconfigured(f"The endpoint's base URL cannot be used: {problem}")
    return Target(
        url=url.copy_with(host=address),
        host_header=url.netloc.decode("ascii"),
        tls_hostname=host if url.scheme == "https" else None,
    )
