"""Configuration checks for single sign-on, run by `manage.py check` (and so at every deploy)."""

from django.conf import settings
from django.core import checks

from accounts import groupmap


@checks.register(checks.Tags.security)
def oidc_settings_check(app_configs, **kwargs):
    if not settings.OIDC_RP_CLIENT_ID:
        return []
    errors = []

    def error(message: str, n: int) -> None:
        errors.append(checks.Error(message, id=f"accounts.E00{n}"))

    if not settings.OIDC_RP_CLIENT_SECRET:
        error("OIDC_RP_CLIENT_ID is set but OIDC_RP_CLIENT_SECRET is empty.", 1)
    if not settings.OIDC_OP_DISCOVERY_URL:
        missing = [
            name
            for name in (
                "OIDC_OP_ISSUER",
                "OIDC_OP_AUTHORIZATION_ENDPOINT",
                "OIDC_OP_TOKEN_ENDPOINT",
                "OIDC_OP_USER_ENDPOINT",
                "OIDC_OP_JWKS_ENDPOINT",
            )
            if not getattr(settings, name)
        ]
        if missing:
            error(f"Set OIDC_OP_DISCOVERY_URL, or all of: {', '.join(missing)}.", 2)
    if settings.OIDC_RP_SIGN_ALGO[:2] not in ("RS", "ES", "PS"):
        # Symmetric algorithms would make the client secret the signing key; the provider's public keys are safer.
        error(f"OIDC_RP_SIGN_ALGO must be an asymmetric algorithm (RS256...), not {settings.OIDC_RP_SIGN_ALGO!r}.", 3)
    try:
        groupmap.parse(settings.OIDC_GROUP_ROLE_MAP)
    except groupmap.GroupMapError as exc:
        error(f"OIDC_GROUP_ROLE_MAP: {exc}.", 4)
    return errors
