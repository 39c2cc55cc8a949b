"""Finding or creating, just in time, the Hazlog user behind an identity provider's subject."""

import re

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import OidcIdentity

USERNAME_MAX = User._meta.get_field("username").max_length


def _username_base(claims: dict) -> str:
    raw = claims.get(settings.OIDC_USERNAME_CLAIM) or (claims.get("email") or "").split("@")[0] or claims["sub"]
    # Django's username characters only; anything else (spaces, accents a provider allows) becomes "-".
    cleaned = re.sub(r"[^\w.@+-]", "-", str(raw), flags=re.ASCII).strip("-") or "user"
    return cleaned[: USERNAME_MAX - 4]


def _free_username(base: str) -> str:
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    if base.lower() not in taken:
        return base
    n = 2
    while f"{base}-{n}".lower() in taken:
        n += 1
    return f"{base}-{n}"


@transaction.atomic
def oidc_user_resolve(*, issuer: str, claims: dict) -> User:
    """The user linked to (issuer, sub); else the one local account with this verified e-mail; else a new one.

    A new user has an unusable password, so they can only sign in through the provider. An existing local
    account is linked only when the provider says it verified the address, so that nobody can take an
    account over by registering its e-mail at a provider that does not check it.
    """
    identity = (
        OidcIdentity.objects.select_for_update().select_related("user").filter(issuer=issuer, subject=claims["sub"])
    ).first()
    email = (claims.get("email") or "").strip()
    if identity is None:
        user = None
        if email and claims.get("email_verified") is True:
            matches = list(User.objects.filter(email__iexact=email)[:2])
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            user = User.objects.create_user(
                _free_username(_username_base(claims)),
                email=email,
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
            )
        identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    return identity.user
