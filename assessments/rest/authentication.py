"""`Authorization: Bearer <token>` authentication with personal API tokens; read-only tokens only read."""

from rest_framework import authentication, exceptions

from assessments.rest.permissions import throttle_anonymous
from assessments.services import tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Tokens only ever come from the Authorization header, never from the query string (they would end up
    in access logs and browser histories)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            throttle_anonymous(request)
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Bearer <token>`.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = tokens.token_authenticate(raw=raw)
        if token is None:
            # Guessing tokens counts against the anonymous rate limit of the caller's address.
            throttle_anonymous(request)
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or was revoked.")
        # Enforced here rather than in a permission class, so that no viewset can forget it by setting
        # its own permission_classes.
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only; create a read-write token to change data.")
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to anonymous calls, with the scheme a client should use.
        return f'{self.keyword} realm="api"'
