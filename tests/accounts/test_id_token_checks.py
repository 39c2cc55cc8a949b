"""The checks Hazlog adds to mozilla-django-oidc's: audience, issuer, expiry, required claims, azp, nonce.

Tokens are signed here with a key made for the test; the provider's JWKS fetch is the one thing replaced,
since it is the network. The browser tests (tests/e2e/test_single_sign_on.py) cover the same refusals
against a real provider.
"""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.oidc.backend import OidcBackend, SignInRefused

ISSUER = "https://idp.example/realms/acme"
CLIENT = "hazlog"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FixedKeyBackend(OidcBackend):
    def retrieve_matching_jwk(self, token):
        return KEY.public_key()


@pytest.fixture(autouse=True)
def _oidc(settings):
    settings.OIDC_RP_CLIENT_ID = CLIENT
    settings.OIDC_RP_CLIENT_SECRET = "s"
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_OP_DISCOVERY_URL = ""
    settings.OIDC_CLOCK_SKEW_SECONDS = 60


def _token(key=KEY, algorithm="RS256", **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "u-1", "aud": CLIENT, "iat": now, "exp": now + 300, "nonce": "n-1", **changes}
    claims = {k: v for k, v in claims.items() if v is not None}
    secret = "a shared secret of at least thirty-two bytes"
    return jwt.encode(claims, key if algorithm.startswith("RS") else secret, algorithm=algorithm)


def _refusal(token, nonce="n-1") -> str:
    with pytest.raises(SignInRefused) as refused:
        FixedKeyBackend().verify_token(token, nonce=nonce)
    return refused.value.reason


def test_a_right_token_gives_its_claims():
    assert FixedKeyBackend().verify_token(_token(), nonce="n-1")["sub"] == "u-1"


def test_a_token_for_another_audience_is_refused():
    assert _refusal(_token(aud="another-client")) == "audience"


def test_several_audiences_need_this_client_as_the_authorized_party():
    assert _refusal(_token(aud=[CLIENT, "another-client"])) == "audience"
    assert FixedKeyBackend().verify_token(_token(aud=[CLIENT, "x"], azp=CLIENT), nonce="n-1")["azp"] == CLIENT


def test_a_token_from_another_issuer_is_refused():
    assert _refusal(_token(iss="https://evil.example")) == "issuer"


def test_an_expired_token_is_refused_beyond_the_clock_skew_only():
    now = int(time.time())
    assert _refusal(_token(exp=now - 61, iat=now - 400)) == "expired"
    assert FixedKeyBackend().verify_token(_token(exp=now - 30, iat=now - 400), nonce="n-1")


def test_a_token_issued_in_the_future_is_refused():
    assert _refusal(_token(iat=int(time.time()) + 600, exp=int(time.time()) + 900)) == "immature"


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud"])
def test_a_token_without_a_required_claim_is_refused(claim):
    assert _refusal(_token(**{claim: None})) in {"missing_claim", "audience", "issuer"}


def test_a_token_signed_with_another_key_is_refused():
    assert _refusal(_token(key=OTHER_KEY)) == "signature"


def test_a_token_signed_with_a_shared_secret_is_refused():
    assert _refusal(_token(algorithm="HS256")) == "algorithm"


def test_a_token_for_another_sign_in_is_refused_by_its_nonce():
    assert _refusal(_token(), nonce="n-2") == "nonce"


def test_garbage_is_refused():
    assert _refusal("not.a.jwt") == "malformed"
    assert _refusal("") == "no_id_token"
