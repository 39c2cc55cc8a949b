"""The SSRF guard: only public addresses, whatever a name resolves to, unless a setting allows more."""

import pytest

from assessments.webhooks import netguard


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 (an address under test, nothing binds to it)
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "::",
    ],
)
def test_private_loopback_link_local_and_embedded_addresses_are_not_public(address):
    assert not netguard.is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_public(address):
    assert netguard.is_public(address)


def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(netguard.UnsafeUrl, match=r"10\.0\.0\.7"):
        netguard.safe_addresses("https://hooks.example.com/x", allow_private=False)


def test_a_name_resolving_only_to_public_addresses_is_allowed(monkeypatch):
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["93.184.215.14"])
    assert netguard.safe_addresses("https://hooks.example.com/x", allow_private=False) == ["93.184.215.14"]


def test_localhost_resolves_to_loopback_and_is_refused():
    with pytest.raises(netguard.UnsafeUrl, match="loopback"):
        netguard.safe_addresses("http://localhost:8000/", allow_private=False)


def test_the_setting_allows_private_addresses():
    assert netguard.safe_addresses("http://127.0.0.1:8000/", allow_private=True) == ["127.0.0.1"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "http:///nohost", "https://x:99999/"])
def test_only_http_urls_with_a_host_are_accepted(url):
    with pytest.raises(netguard.UnsafeUrl):
        netguard.safe_addresses(url, allow_private=True)


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    def fail(host, port):
        raise OSError("Name or service not known")

    monkeypatch.setattr(netguard, "resolve", fail)
    with pytest.raises(netguard.UnsafeUrl, match="could not be resolved"):
        netguard.safe_addresses("https://nowhere.invalid/", allow_private=False)
