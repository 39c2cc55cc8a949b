"""Enrolling, checking and removing a user's TOTP device (django-otp's TOTPDevice)."""

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from accounts.services import recovery
from assessments.errors import InvalidInput

DEVICE_NAME = "Authenticator app"
WRONG_CODE = "That code is not right. Type the 6-digit code your authenticator app shows now."


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def code_check(*, device: TOTPDevice, code: str) -> None:
    """Raises InvalidInput unless `code` is the device's current code (each code is accepted only once)."""
    code = "".join(code.split())
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        # django-otp's own brake: after a wrong code the device refuses for 1, 2, 4... seconds.
        raise InvalidInput({"code": ["Too many wrong codes in a row. Wait a few seconds and try again."]})
    if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        raise InvalidInput({"code": [WRONG_CODE]})


def second_factor_check(*, user: User, device: TOTPDevice, code: str) -> int | None:
    """The device's current code, or one of the user's recovery codes (spent by this check). Returns None for
    the device's code, else how many recovery codes are left; raises InvalidInput for a wrong one."""
    if recovery.looks_like_one(code):
        return recovery.recovery_code_use(user=user, code=code)
    code_check(device=device, code=code)
    return None


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device, created once: reloading the enrolment page keeps the same secret."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


# Not atomic: a wrong code must leave django-otp's failure count written, not rolled back with the error.
def totp_enrolment_confirm(*, user: User, code: str) -> TOTPDevice:
    if confirmed_device(user) is not None:
        raise InvalidInput("Two-step sign-in is already on for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise InvalidInput("Start the set-up again: there is no authenticator waiting for a code.")
    code_check(device=device, code=code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_device_delete(*, user: User, code: str) -> None:
    if user.is_staff:
        raise InvalidInput("Staff accounts must keep two-step sign-in on.")
    device = confirmed_device(user)
    if device is None:
        raise InvalidInput("Two-step sign-in is not on for this account.")
    second_factor_check(user=user, device=device, code=code)
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
