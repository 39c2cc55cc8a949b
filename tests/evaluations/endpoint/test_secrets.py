"""API keys at rest: encrypted, rotatable, refused clearly when unreadable; in memory: never printed."""

import pickle

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from evaluations.endpoint.secrets import (
    REDACTED,
    Redactor,
    Secret,
    SecretUnreadable,
    decrypt_secret,
    encrypt_secret,
    rotate_secret,
)
from tests.evaluations.endpoint.conftest import API_KEY


def test_a_stored_key_is_not_the_key_and_decrypts_back_to_it(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = encrypt_secret(API_KEY)
    assert API_KEY not in token
    assert token.isascii()
    assert decrypt_secret(token) == API_KEY


def test_encrypting_the_same_key_twice_gives_different_tokens(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert encrypt_secret(API_KEY) != encrypt_secret(API_KEY)


def test_an_empty_key_is_refused_rather_than_encrypted():
    with pytest.raises(ValueError, match="no key"):
        encrypt_secret("")


def test_a_new_key_in_front_encrypts_while_the_old_one_still_decrypts_and_rotation_moves_tokens(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [old]
    stored = encrypt_secret(API_KEY)

    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [new, old]
    assert decrypt_secret(stored) == API_KEY
    rotated = rotate_secret(stored)
    assert Fernet(new.encode()).decrypt(rotated.encode()).decode() == API_KEY

    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [new]
    assert decrypt_secret(rotated) == API_KEY
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored)


def test_without_the_setting_a_key_derived_from_secret_key_is_used_and_fallbacks_decrypt(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "first-secret-key-" + "a" * 40
    settings.SECRET_KEY_FALLBACKS = []
    stored = encrypt_secret(API_KEY)
    assert decrypt_secret(stored) == API_KEY

    settings.SECRET_KEY = "second-secret-key-" + "b" * 40
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored)

    settings.SECRET_KEY_FALLBACKS = ["first-secret-key-" + "a" * 40]
    assert decrypt_secret(stored) == API_KEY
    rotated = rotate_secret(stored)
    settings.SECRET_KEY_FALLBACKS = []
    assert decrypt_secret(rotated) == API_KEY


def test_an_unreadable_key_says_what_to_do_and_holds_no_secret(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = encrypt_secret(API_KEY)
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretUnreadable) as caught:
        decrypt_secret(stored)
    message = str(caught.value)
    assert "EVAL_ENDPOINT_ENCRYPTION_KEYS" in message and "enter the API key again" in message
    assert API_KEY not in message and stored not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_tampered_or_garbage_token_is_unreadable_not_a_crash(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = encrypt_secret(API_KEY)
    for token in (stored[:-4] + "AAAA", "not a token", "ünïcode"):
        with pytest.raises(SecretUnreadable):
            decrypt_secret(token)


def test_a_configured_key_that_is_not_a_fernet_key_names_its_position_but_not_its_text(settings):
    settings.HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "hunter2-not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key") as caught:
        encrypt_secret(API_KEY)
    assert "hunter2" not in str(caught.value)


def test_a_secret_never_shows_its_value_when_printed_formatted_or_pickled():
    secret = Secret(API_KEY)
    for text in (repr(secret), str(secret), f"{secret}", format(secret), repr([secret]), repr({"key": secret})):
        assert API_KEY not in text
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(secret)
    assert secret.reveal() == API_KEY
    assert secret and not Secret("")


def test_the_redactor_removes_the_key_and_long_fragments_of_it_but_leaves_other_text():
    redact = Redactor(Secret(API_KEY))
    assert redact(f"Incorrect API key provided: {API_KEY}.") == f"Incorrect API key provided: {REDACTED}."
    fragment = API_KEY[5:19]
    assert redact(f"key ...{fragment}... refused") == f"key ...{REDACTED}... refused"
    assert redact("Rate limit reached for sk-proj.") == "Rate limit reached for sk-proj."
    assert Redactor(None)("anything") == "anything"
