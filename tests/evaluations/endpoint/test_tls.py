"""HTTPS endpoints: the connection goes to the checked address while TLS checks the certificate against the
name in the base URL, with the CAs of EVAL_ENDPOINT_CA_BUNDLE for a model server behind a company CA."""

import datetime
import ssl
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured

from assessments.webhooks import netguard
from evaluations.endpoint.client import ChatClient, ClientSettings
from evaluations.endpoint.errors import EndpointMisconfigured
from tests.evaluations.endpoint.conftest import API_KEY
from tests.evaluations.fake_openai import FakeOpenAI

MESSAGES = [{"role": "user", "content": "hi"}]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca_and_server_cert(directory, host: str):
    """A throwaway CA (ca.pem) and a certificate it signed for `host` (server.pem, server.key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Hazlog test CA"))
        .issuer_name(_name("Hazlog test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    return directory / "ca.pem", context


@pytest.fixture
def https_server(tmp_path, monkeypatch):
    ca_file, context = make_ca_and_server_cert(tmp_path, "models.example")
    # The name resolves (here) to the local server, as a company DNS would point it at a model server.
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"])
    with FakeOpenAI(api_key=API_KEY, tls=context) as server:
        yield server, str(ca_file)


def test_an_https_endpoint_is_reached_at_the_checked_address_with_its_certificate_checked_for_its_name(
    https_server, config, options
):
    server, ca_file = https_server
    named = replace(config, base_url=f"https://models.example:{server.port}/v1")
    client = ChatClient(named, replace(options, ca_bundle=ca_file))
    try:
        answers = client.complete(MESSAGES)
    finally:
        client.close()
    assert len(answers) == 1
    assert server.requests[0].headers["host"] == f"models.example:{server.port}"


def test_a_certificate_for_another_name_is_refused_without_retrying(https_server, config, options):
    server, ca_file = https_server
    # Same server and address, but the URL names a host the certificate is not for.
    other = replace(config, base_url=f"https://other.example:{server.port}/v1")
    client = ChatClient(other, replace(options, ca_bundle=ca_file))
    try:
        with pytest.raises(EndpointMisconfigured, match="TLS certificate was not accepted"):
            client.complete(MESSAGES)
    finally:
        client.close()
    assert server.requests == []


def test_a_private_ca_is_not_trusted_unless_configured(https_server, config, options):
    server, _ = https_server
    client = ChatClient(replace(config, base_url=f"https://models.example:{server.port}/v1"), options)
    try:
        with pytest.raises(EndpointMisconfigured, match="EVAL_ENDPOINT_CA_BUNDLE"):
            client.complete(MESSAGES)
    finally:
        client.close()
    assert server.requests == []


def test_a_ca_bundle_that_cannot_be_read_is_refused_by_name(settings, tmp_path):
    settings.HAZLOG_EVAL_ENDPOINT_CA_BUNDLE = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match=r"EVAL_ENDPOINT_CA_BUNDLE: .*missing\.pem is not a readable PEM"):
        ClientSettings.from_django()
