"""The account's two-step sign-in page: set up a TOTP authenticator (QR code and key), or turn it off."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import qr, sessions, throttle
from accounts.forms import CodeForm
from accounts.services import recovery, totp
from accounts.views.login import recovery_used
from assessments.errors import InvalidInput


def _code_throttle(request):
    return throttle.key(request, scope="totp", who=str(request.user.pk))


def _check_with_throttle(request, form: CodeForm, action) -> tuple[bool, object]:
    """(True, what `action(code)` returned) for a valid form unless throttled; a wrong code counts as a failure."""
    key = _code_throttle(request)
    if throttle.is_throttled(key):
        form.add_error(None, throttle.refusal_message())
        return False, None
    if not form.is_valid():
        return False, None
    try:
        result = action(form.cleaned_data["code"])
    except InvalidInput as exc:
        throttle.count_failure(key)
        for field, errors in exc.errors.items():
            form.add_error(None if field == "__all__" else field, errors)
        return False, None
    throttle.clear(key)
    return True, result


def _second_factor(request, device):
    return lambda code: totp.second_factor_check(user=request.user, device=device, code=code)


def _recovery_codes_page(request):
    """New recovery codes, shown this once (the page is never cached)."""
    codes = recovery.recovery_codes_issue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


def _recovery_form(data=None) -> CodeForm:
    return CodeForm(data, auto_id="rc_%s")  # beside the turn-off form on the same page: ids of its own


def _status_page(request, form: CodeForm | None = None, recovery_form: CodeForm | None = None):
    context = {
        "device": totp.confirmed_device(request.user),
        "recovery_left": recovery.unused_count(request.user),
        "sso": sessions.signed_in_with_sso(request),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "form": form or CodeForm(),
        "recovery_form": recovery_form or _recovery_form(),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@never_cache
def two_factor(request):
    return _status_page(request)


@login_required
@never_cache
def two_factor_enrol(request):
    if sessions.signed_in_with_sso(request):
        messages.info(request, "You signed in through your identity provider, which handles your second factor.")
        return redirect("two_factor")
    if totp.confirmed_device(request.user) is not None:
        if not request.user.is_verified():
            # A session that predates the device (or was opened by the admin): the code makes it verified.
            return redirect("two_factor_verify")
        messages.info(request, "Two-step sign-in is already on.")
        return redirect("two_factor")
    device = totp.totp_enrolment_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":

        def confirm(code):
            confirmed = totp.totp_enrolment_confirm(user=request.user, code=code)
            otp_login(request, confirmed)

        if _check_with_throttle(request, form, confirm)[0]:
            messages.success(request, "Two-step sign-in is on: every sign-in now asks for a code after the password.")
            return _recovery_codes_page(request)
    context = {"form": form, "qr_svg": qr.svg(device), "secret": qr.secret_text(device)}
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
@never_cache
def two_factor_verify(request):
    """For a signed-in session of an account with a device that has not given a code yet (staff must)."""
    device = totp.confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return redirect("two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        done, left = _check_with_throttle(request, form, _second_factor(request, device))
        if done:
            otp_login(request, device)
            recovery_used(request, left)
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login_code.html", {"form": form, "username": request.user.get_username()})


@login_required
@require_POST
def two_factor_disable(request):
    form = CodeForm(request.POST)
    if _check_with_throttle(request, form, lambda code: totp.totp_device_delete(user=request.user, code=code))[0]:
        messages.success(request, "Two-step sign-in is off. Sign-ins now only ask for your password.")
        return redirect("two_factor")
    return _status_page(request, form)


@login_required
@require_POST
@never_cache
def two_factor_recovery_codes(request):
    """New recovery codes (the old ones stop working), for a current code of the app or a recovery code."""
    device = totp.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor")
    form = _recovery_form(request.POST)
    if _check_with_throttle(request, form, _second_factor(request, device))[0]:
        return _recovery_codes_page(request)
    return _status_page(request, recovery_form=form)
