"""Base URLs: only http(s) to allowed addresses, checked on entry and again on the address each request uses."""

from dataclasses import replace

import pytest

from assessments.webhooks import netguard
from evaluations.endpoint.client import ChatClient
from evaluations.endpoint.errors import EndpointMisconfigured, EndpointUnavailable
from evaluations.endpoint.urls import chat_url, problem_with, target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://models.example.com/v1", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("gopher://127.0.0.1:6379/_INFO", "must start with http:// or https://"),
        ("https:///v1", "no host name"),
        ("https://user:sk-secret@api.example.com/v1", "not in the URL"),
        ("https://api.example.com/v1?key=sk-secret", "no query string"),
        ("https://api.example.com:99999/v1", "not a valid URL"),
        ("http://[::1/v1", "not a valid URL"),
        ("http://api.example\x00.com/v1", "not a valid URL"),
    ],
)
def test_a_url_that_is_not_a_plain_http_base_url_is_refused_with_a_reason(url, expected):
    assert expected in problem_with(url)


def test_private_loopback_and_metadata_addresses_are_refused_unless_the_setting_allows_them(settings, monkeypatch):
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = False
    for address in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:10.0.0.1"):
        monkeypatch.setattr(netguard, "resolve", lambda host, port, address=address: [address])
        problem = problem_with("https://models.internal.example/v1")
        assert "private, loopback or link-local" in problem and "EVAL_ENDPOINT_ALLOW_PRIVATE" in problem
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = True
    assert problem_with("https://models.internal.example/v1") == ""


def test_a_name_with_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = False
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.7"])
    assert "10.0.0.7" in problem_with("https://api.example.com/v1")
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["93.184.215.14"])
    assert problem_with("https://api.example.com/v1") == ""


def test_a_name_that_does_not_resolve_is_reported():
    assert "could not be resolved" in problem_with("https://no-such-host.invalid/v1")


def test_the_chat_path_is_added_once_whether_or_not_the_base_url_already_has_it():
    assert chat_url("https://api.example.com/v1") == "https://api.example.com/v1/chat/completions"
    assert chat_url("https://api.example.com/v1/") == "https://api.example.com/v1/chat/completions"
    assert chat_url("https://api.example.com/v1/chat/completions") == "https://api.example.com/v1/chat/completions"


def test_the_target_connects_to_the_checked_address_and_keeps_the_name_for_host_and_tls(monkeypatch):
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["93.184.215.14"])
    checked = target("https://api.example.com:8443/v1")
    assert str(checked.url) == "https://93.184.215.14:8443/v1/chat/completions"
    assert checked.host_header == "api.example.com:8443"
    assert checked.tls_hostname == "api.example.com"
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["2606:2800:220:1:248:1893:25c8:1946"])
    assert str(target("http://api.example.com/v1").url) == "http://[2606:2800:220:1:248:1893:25c8:1946]/v1/chat/completions"
    assert target("http://api.example.com/v1").tls_hostname is None


def test_a_request_goes_to_the_checked_address_with_the_name_in_the_host_header(server, config, options, monkeypatch):
    # "models.example" resolves (here) to the local server: the request reaches it by that checked address.
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"] if host == "models.example" else [])
    named = replace(config, base_url=f"http://models.example:{server.port}/v1")
    client = ChatClient(named, options)
    try:
        client.complete([{"role": "user", "content": "hi"}])
    finally:
        client.close()
    assert server.requests[-1].headers["host"] == f"models.example:{server.port}"


def test_a_name_that_now_resolves_to_a_private_address_is_refused_before_any_request(
    server, config, options, settings, monkeypatch
):
    # Entered while it resolved publicly; DNS now points it at the local network (DNS rebinding).
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = False
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"])
    named = replace(config, base_url=f"http://models.example:{server.port}/v1")
    client = ChatClient(named, options)
    try:
        with pytest.raises(EndpointMisconfigured, match="private, loopback"):
            client.complete([{"role": "user", "content": "hi"}])
    finally:
        client.close()
    assert server.requests == []


def test_a_stored_url_with_credentials_is_refused_at_request_time_too(config, options):
    bad = replace(config, base_url="http://user:pw@127.0.0.1:1/v1")
    with pytest.raises(EndpointMisconfigured, match="not in the URL") as caught:
        ChatClient(bad, options).complete([])
    assert "pw" not in str(caught.value)


def test_a_name_that_does_not_resolve_at_request_time_is_retried_as_a_passing_failure(config, options, monkeypatch):
    lookups = []
    monkeypatch.setattr(netguard, "resolve", lambda host, port: lookups.append(host) or [])
    client = ChatClient(replace(config, base_url="http://models.example/v1"), options)
    with pytest.raises(EndpointUnavailable, match=r"could not be resolved\. Gave up after 4 attempts"):
        client.complete([{"role": "user", "content": "hi"}])
    assert lookups == ["models.example"] * 4
