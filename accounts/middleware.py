"""Holds a staff account signed in with a password at its second factor until it has one and has used it.

Staff can change everything through the admin, so a password alone must not be enough for them. Sessions
opened through the identity provider are let through: the provider is responsible for their second factor.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import sessions
from accounts.services import totp

# Paths a held staff member may still reach: setting up or giving the code, and leaving.
ALLOWED_NAMES = ("two_factor_enrol", "two_factor_verify", "logout", "login", "login_code")


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not sessions.signed_in_with_sso(request)
            and not self._allowed(request.path_info)
        ):
            return self._hold(request, enrolled=totp.confirmed_device(user) is not None)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        return path.startswith("/static/") or path == "/healthz" or path in {reverse(n) for n in ALLOWED_NAMES}

    @staticmethod
    def _hold(request, *, enrolled: bool):
        target = reverse("two_factor_verify" if enrolled else "two_factor_enrol")
        if request.path_info.startswith("/api/"):
            # Token requests carry no session and never get here; a browser session of held staff does.
            detail = "Staff accounts must finish two-step sign-in in the browser first."
            return JsonResponse({"detail": detail, "code": "second_factor_required"}, status=403)
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
