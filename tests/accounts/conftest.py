"""Fixtures of the sign-in tests: signed-in clients, TOTP devices and the codes their apps would show."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.api.conftest import api_client_for
from tests.webtools import client_for

__all__ = ["api_client_for", "client_for"]


def next_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now, or the next one when this one was already used.

    django-otp accepts a code once (never a step at or before the last one used) and one step either side
    of now, so a test can sign in right after enrolling without waiting for the next 30 seconds.
    """
    device.refresh_from_db()
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ahead = max(0, device.last_t + 1 - otp.t())
    assert ahead <= device.tolerance, "more codes used in this test than the clock allows"
    otp.drift += ahead
    return f"{otp.token():0{device.digits}d}"


@pytest.fixture
def enrolled():
    """enrolled(user) → a confirmed TOTP device of that user."""

    def make(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)

    return make


@pytest.fixture
def staff(db):
    from tests.factories import UserFactory

    return UserFactory(username="sam", is_staff=True, is_superuser=True)
