"""Starting a sign-in at the identity provider and taking its answer back, with a clear message on refusal."""

import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.oidc import provider
from accounts.oidc.backend import SignInRefused

logger = logging.getLogger(__name__)

STATE_UNKNOWN = (
    "this answer does not belong to a sign-in started in this browser (its state is unknown). "
    "Start again from this page."
)
UNREACHABLE = "The identity provider could not be reached or gave an answer Hazlog cannot use. Try again later."


def _refuse(request, message: str):
    messages.error(request, f"Single sign-on failed: {message}")
    return redirect("login")


class SignInStart(OIDCAuthenticationRequestView):
    def __init__(self, *args, **kwargs):
        # Not the library's __init__, which reads the endpoint: it comes from discovery in get(), where a
        # provider that is down can be told to the user.
        View.__init__(self, *args, **kwargs)

    def get(self, request):
        if not provider.enabled():
            raise Http404
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.value("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except provider.ProviderUnavailable:
            logger.warning("SSO start failed", exc_info=True)
            return _refuse(request, UNREACHABLE)
        return super().get(request)


class SignInCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not provider.enabled():
            raise Http404
        state = request.GET.get("state", "")
        states = dict(request.session.get("oidc_states") or {})
        if state not in states:
            # A forged, replayed or stale answer: nothing in it is shown or used, not even its error text.
            logger.warning("SSO callback with an unknown state")
            return _refuse(request, STATE_UNKNOWN)
        if request.GET.get("error"):
            # Forget the state, so that this answer cannot be replayed.
            del states[state]
            request.session["oidc_states"] = states
            logger.warning("SSO refused by the provider: %s", request.GET.get("error_description", ""))
            code = request.GET["error"]
            shown = code if re.fullmatch(r"[a-z_]{1,40}", code) else "an error"
            return _refuse(request, f"the identity provider answered {shown}. Try again, or ask your administrator.")
        try:
            return super().get(request)
        except SignInRefused as refusal:
            logger.warning("SSO sign-in refused: %s", refusal)
            return _refuse(request, refusal.message)
        except SuspiciousOperation as exc:
            # The library's own refusals (no matching signing key in the provider's JWKS, for one).
            logger.warning("SSO callback refused: %s", exc)
            return _refuse(request, f"the identity provider's answer was refused ({exc}).")
        except (requests.RequestException, provider.ProviderUnavailable, jwt.PyJWTError, ValueError, KeyError):
            logger.warning("SSO callback failed", exc_info=True)
            return _refuse(request, UNREACHABLE)

    def login_failure(self):
        # Reached without an exception: an answer without a code, or a user the backend did not return.
        return _refuse(self.request, "the sign-in was not completed. Start again from this page.")
