"""Two-step sign-in in Chromium: enrol with the key the page shows, then sign in with password and code."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _wait_for_landing(page, live_server):
    # Where a sign-in lands (LOGIN_REDIRECT_URL): My work, or the portfolio for managers.
    page.wait_for_url(lambda url: url in (f"{live_server.url}/", f"{live_server.url}/portfolio/"))


def _password_step(page, live_server, username: str) -> None:
    """Sign in with the password; an account with an authenticator is then asked for its code."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/code/")


def _code(secret_text: str, *, ahead: int = 0) -> str:
    """What an authenticator app that was given the key as typed text shows (`ahead` steps of 30 s later)."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=ahead):06d}"


def test_a_user_enrols_an_authenticator_and_then_signs_in_with_a_code(viewer, browser_for, live_server):
    page = browser_for(viewer)
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.locator("#two-factor-status")).to_contain_text("off")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = page.get_by_role("list", name="Recovery codes").locator("code")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text()
    page.get_by_role("link", name="I have kept them").click()
    expect(page.locator("#two-factor-status")).to_contain_text("on")
    expect(page.locator("#recovery-status")).to_contain_text("10 unused recovery codes left")

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, live_server, "victor")
    expect(page.get_by_text("Signing in as victor")).to_be_visible()
    # The enrolment used this step's code, and a code is taken once: the app's next one.
    page.get_by_label("Code from your authenticator app").fill(_code(secret, ahead=1))
    page.get_by_role("button", name="Verify").click()
    _wait_for_landing(page, live_server)
    expect(page.locator(".user-nav")).to_contain_text("victor")

    # The phone is lost: a recovery code signs in once instead, and says how many are left.
    page.get_by_role("button", name="Sign out").click()
    _password_step(page, live_server, "victor")
    page.get_by_label("Code from your authenticator app").fill(recovery_code)
    page.get_by_role("button", name="Verify").click()
    _wait_for_landing(page, live_server)
    expect(page.locator("#messages")).to_contain_text("You used a recovery code; 9 left.")
    assert page.console_errors == []


def test_staff_signing_in_to_the_admin_must_enrol_first(live_server, new_context, django_user_model):
    django_user_model.objects.create_user("sam", password=PASSWORD, is_staff=True, is_superuser=True)
    context = new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/admin/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/enrol/")
    expect(page.get_by_text("Staff accounts must set up two-step sign-in")).to_be_visible()
    # Nothing else opens until then: a normal page and the admin both come back here.
    for path in ("/", "/admin/auth/user/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/enrol/")
    page.get_by_label("Code from your authenticator app").fill(_code(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("link", name="I have kept them").click()
    expect(page.locator("#two-factor-status")).to_contain_text("on")
    page.goto(f"{live_server.url}/admin/auth/user/")
    expect(page.locator("#result_list").get_by_role("link", name="sam")).to_be_visible()
