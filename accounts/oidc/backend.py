"""The OpenID Connect authentication backend: mozilla-django-oidc's code flow with the checks it lacks.

The library verifies the ID token's signature and algorithm and the nonce, but not its audience (it turns
PyJWT's check off) nor its issuer, and an expired token escapes as an uncaught error. Here every claim
that OpenID Connect Core 3.1.3.7 asks a client to check is checked, and each refusal carries a message
for the sign-in page. Users are matched by (issuer, subject), created just in time, and their project
roles follow the group claim (accounts.services.group_roles).
"""

import logging

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.oidc import provider
from accounts.services import group_roles, identities

logger = logging.getLogger(__name__)

REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


class SignInRefused(Exception):
    """A sign-in through the provider that must not go ahead; `message` is shown on the sign-in page."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(f"{reason}: {message}")
        self.message = message
        self.reason = reason


class OidcBackend(OIDCAuthenticationBackend):
    # The library's get_user lets a deactivated user's session go on; Django's own refuses it.
    get_user = ModelBackend.get_user

    def __init__(self, *args, **kwargs):
        # Not the library's __init__: it reads every endpoint at once, and this backend is loaded on each
        # request of a signed-in SSO user, when a provider that is down must not break their pages.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider.value("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider.value("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider.value("OIDC_OP_JWKS_ENDPOINT")

    def authenticate(self, request, **kwargs):
        if not provider.enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInRefused("The identity provider sent no ID token.", reason="no_id_token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SignInRefused("The identity provider's ID token is not a valid JWT.", reason="malformed") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}.", reason="algorithm"
            )
        claims = self._decode(token, self.retrieve_matching_jwk(token))
        if kwargs.get("nonce") is not None and claims.get("nonce") != kwargs["nonce"]:
            raise SignInRefused("The ID token answers another sign-in (its nonce does not match).", reason="nonce")
        return claims

    def _decode(self, token: str, key) -> dict:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider.value("OIDC_OP_ISSUER"),
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused(
                "The identity provider's ID token has expired. Check that this server's clock is right, then "
                "sign in again.",
                reason="expired",
            ) from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(
                "The ID token was issued for another application (its audience is not this client).",
                reason="audience",
            ) from None
        except jwt.InvalidIssuerError:
            raise SignInRefused("The ID token was issued by another identity provider.", reason="issuer") from None
        except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
            raise SignInRefused("The ID token is not valid yet (check the clocks).", reason="immature") from None
        except jwt.InvalidSignatureError:
            raise SignInRefused("The ID token's signature does not verify.", reason="signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise SignInRefused(f"The ID token has no {exc.claim!r} claim.", reason="missing_claim") from None
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"The ID token was refused ({exc}).", reason="invalid") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # With several audiences, the authorized party must be us (OpenID Connect Core 3.1.3.7, items 4-5).
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused("The ID token was issued for another application (azp).", reason="audience")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: a userinfo answer for another subject must not be used.
        if userinfo.get("sub") != payload["sub"]:
            raise SignInRefused("The identity provider's user information is for someone else.", reason="userinfo")
        claims = {**payload, **userinfo}
        user = identities.oidc_user_resolve(issuer=payload["iss"], claims=claims)
        if not user.is_active:
            logger.info("SSO sign-in refused: %s is deactivated", user.get_username())
            raise SignInRefused(
                "This account is deactivated in Hazlog. Ask an administrator to reactivate it.", reason="inactive"
            )
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        group_roles.group_roles_apply(user=user, groups=[str(g) for g in groups])
        return user
