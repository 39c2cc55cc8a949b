"""Personal API tokens: created (the secret is returned once, only its SHA-256 is kept), used and revoked."""

import datetime
import hashlib
import logging
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments.errors import InvalidInput
from assessments.models import ApiToken
from assessments.precompiled import PrecompiledQuery

logger = logging.getLogger("hazlog.security")

TOKEN_PREFIX = "hzl_"  # noqa: S105 (a public marker, not a secret)
# The prefix shown in lists: enough to tell tokens apart, far too little to guess the rest (43 random chars).
VISIBLE_CHARS = 12
# last_used_at is written at most this often per token, so a busy sync client does not write on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)

# Every API call looks its token up: compiled once, not per call (issue 10). key_hash is unique, so no ordering
# (Meta.ordering would add one).
_BY_HASH = PrecompiledQuery(
    lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash).order_by()[:1]
)


def hash_token(raw: str) -> str:
    # The token carries 256 bits of randomness, so a plain SHA-256 (no salt, no stretching) is enough.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, read_only: bool = False, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the secret, which is never shown again."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Name the token after the client that will use it, e.g. “Jira sync”."]
    elif len(name) > 100:
        errors["name"] = ["Keep the name under 100 characters."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry must be in the future."]
    if errors:
        raise InvalidInput(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:VISIBLE_CHARS],
        key_hash=hash_token(raw),
        read_only=read_only,
        expires_at=expires_at,
    )
    logger.info("API token %s (%s…) created for %s", token.pk, token.prefix, user.get_username())
    return token, raw


@transaction.atomic
def token_revoke(*, token_id: int, by: User) -> ApiToken:
    """Revoke one of the user's own tokens; the very next request made with it is refused."""
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if token.user_id != by.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("API token %s (%s…) revoked by %s", token.pk, token.prefix, by.get_username())
    return token


def token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired, its user active), or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    # Read fresh from the database on every call, never cached: a revoked token or a deactivated user is refused
    # on the very next request, whichever way (service, admin, a plain UPDATE) the row was changed.
    token = _BY_HASH.first(hash_token(raw))
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
