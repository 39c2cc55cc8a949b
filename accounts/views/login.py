"""Sign-in: the password (throttled), then the TOTP code for accounts that have one, and the SSO button."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from accounts import sessions, throttle
from accounts.forms import CodeForm
from accounts.oidc import provider
from accounts.services import totp
from assessments.errors import InvalidInput


class LogoutView(DjangoLogoutView):
    """Signs out; a session opened through the identity provider also ends there (RP-initiated logout), and the
    provider sends the browser back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token") if sessions.signed_in_with_sso(request) else None
        response = super().post(request, *args, **kwargs)
        end = provider.logout_url(id_token=id_token, after=request.build_absolute_uri(reverse("login")))
        if end is None:
            return response
        # A page that moves on by itself rather than a redirect: the Content-Security-Policy's form-action
        # ('self') would stop a form's redirect to the provider, and its address is only known at run time.
        context = {"end_session_url": end, "provider_name": settings.OIDC_PROVIDER_NAME}
        return render(request, "accounts/signed_out_sso.html", context)


class LoginView(DjangoLoginView):
    """Refuses a username from an address after throttle.MAX_FAILURES failed attempts in its window."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if provider.enabled():
            context["sso_label"] = provider.button_label()
        return context

    def post(self, request, *args, **kwargs):
        self._throttle_key = throttle.key(request, scope="login", who=request.POST.get("username", ""))
        if throttle.is_throttled(self._throttle_key):
            # The password is not even checked: a locked-out guesser learns nothing from the answer.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, throttled=throttle.refusal_message())
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.count_failure(self._throttle_key)
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.clear(self._throttle_key)
        user = form.get_user()
        if totp.confirmed_device(user) is None:
            return super().form_valid(form)
        # Not signed in yet: the session only remembers who typed the right password, for a few minutes.
        sessions.pending_begin(self.request, user=user, next_url=self.get_success_url())
        return redirect("login_code")


def recovery_used(request, left: int | None) -> None:
    """After a recovery code (not the app's code): say how many are left and where to make new ones."""
    if left is not None:
        messages.warning(
            request,
            f"You used a recovery code; {left} left. If the authenticator app is lost, turn two-step sign-in off "
            "and on again with the new app, or make new recovery codes, on the Two-step sign-in page.",
        )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request):
    state = sessions.pending(request)
    if state is None:
        sessions.pending_end(request)
        messages.error(request, "Sign in with your password first (the code step waits five minutes at most).")
        return redirect("login")
    user = get_user_model().objects.filter(pk=state["user_id"], is_active=True).first()
    device = totp.confirmed_device(user) if user else None
    if device is None:
        sessions.pending_end(request)
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    throttle_key = throttle.key(request, scope="totp", who=str(user.pk))
    if request.method == "POST":
        if throttle.is_throttled(throttle_key):
            form.add_error(None, throttle.refusal_message())
            status = 429
        elif form.is_valid():
            try:
                left = totp.second_factor_check(user=user, device=device, code=form.cleaned_data["code"])
            except InvalidInput as exc:
                throttle.count_failure(throttle_key)
                form.add_error("code", exc.errors["code"])
            else:
                throttle.clear(throttle_key)
                sessions.pending_end(request)
                auth_login(request, user, backend=state["backend"])
                otp_login(request, device)
                recovery_used(request, left)
                return redirect(state["next"])
    return render(request, "accounts/login_code.html", {"form": form, "username": user.get_username()}, status=status)
