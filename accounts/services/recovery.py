"""Single-use recovery codes: the way back in when the authenticator app is lost.

Ten codes are made when two-step sign-in is turned on (and again on request), shown once, and kept only as
SHA-256 digests. A code is accepted wherever the authenticator's code is (the sign-in step, the session check,
turning it off, new codes), once; the same throttle counts wrong ones. Account events have no project, so
they go to the security log (logger `accounts.recovery`) rather than a project's audit trail.
"""

import hashlib
import logging
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import RecoveryCode
from assessments.errors import InvalidInput

logger = logging.getLogger(__name__)

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o or 1/l/i to misread
HALF = 5  # two groups of five: 31^10 ≈ 2^50 codes
WRONG_CODE = "That recovery code is not right, or it was already used."


def _normal(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch not in " -")


def _digest(text: str) -> str:
    return hashlib.sha256(_normal(text).encode()).hexdigest()


def looks_like_one(text: str) -> bool:
    """A recovery code's shape (letters and digits, ten of them), not an authenticator's six digits."""
    normal = _normal(text)
    return len(normal) == 2 * HALF and all(ch in ALPHABET for ch in normal)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """New codes for `user`, replacing every earlier one; the only time their text is seen."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(COUNT):
        text = "".join(secrets.choice(ALPHABET) for _ in range(2 * HALF))
        codes.append(f"{text[:HALF]}-{text[HALF:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(code)) for code in codes)
    logger.info("new recovery codes for %s (user %s); earlier ones revoked", user.get_username(), user.pk)
    return codes


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> int:
    """Spend one of the user's unused codes (InvalidInput otherwise); returns how many are left."""
    found = (
        RecoveryCode.objects.select_for_update().filter(user=user, digest=_digest(code), used_at__isnull=True).first()
    )
    if found is None:
        raise InvalidInput({"code": [WRONG_CODE]})
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    left = unused_count(user)
    logger.warning("recovery code used by %s (user %s); %d left", user.get_username(), user.pk, left)
    return left


def unused_count(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
