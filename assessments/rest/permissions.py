"""The API's default permission: signed in. Anonymous calls are rate limited before they are refused.

DRF checks throttles only after permissions, so without this an anonymous caller (or one guessing tokens)
would never be throttled: it would get 401 forever, as fast as it can ask.
"""

from rest_framework import exceptions, permissions

from assessments.rest.throttling import AnonymousThrottle


def throttle_anonymous(request) -> None:
    throttle = AnonymousThrottle()
    if not throttle.allow_unauthenticated(request):
        raise exceptions.Throttled(wait=throttle.wait())


class IsAuthenticated(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        throttle_anonymous(request)
        return False
