"""The SSRF guard: webhooks go only to http(s) URLs whose every address is public, unless a setting allows more.

Checked when an endpoint is registered (a clear error for the owner) and again at every delivery, on the
addresses the connection will actually use (DNS may have changed since), and redirects are never followed.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

# Embedded IPv4 addresses that an IPv6 address can carry to reach an internal host.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeUrl(ValueError):
    """A URL webhooks must not be sent to, with the reason."""


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (tests replace this to simulate DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL webhooks may use in form; raises UnsafeUrl otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("The URL is not valid.") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("Webhook URLs must start with http:// or https://.")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host name.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def safe_addresses(url: str, *, allow_private: bool | None = None) -> list[str]:
    """The addresses to connect to for this URL, all of them allowed; raises UnsafeUrl otherwise."""
    allow = settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE if allow_private is None else allow_private
    _, host, port = target(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise UnsafeUrl(f"{host} could not be resolved.") from None
    if not addresses:
        raise UnsafeUrl(f"{host} could not be resolved.")
    if not allow:
        blocked = [a for a in addresses if not is_public(a)]
        if blocked:
            raise UnsafeUrl(
                f"{host} resolves to a private, loopback or link-local address ({blocked[0]}); webhooks are only "
                "sent to public addresses (WEBHOOKS_ALLOW_PRIVATE allows others)."
            )
    return addresses
