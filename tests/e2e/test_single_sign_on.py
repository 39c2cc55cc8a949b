"""Single sign-on in Chromium against a real OpenID provider (django-oauth-toolkit) started by the suite.

Each test signs in at the provider as one of its users (tests/oidc_provider/serve.py); some of them get an
ID token spoiled on purpose (tests/oidc_provider/validators.py), which Hazlog must refuse with a message.
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts.models import GroupRoleGrant, OidcIdentity
from assessments.models import AuditEvent, Membership, Role
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.e2e


def _wait_for_landing(page, live_server):
    # Where a sign-in lands (LOGIN_REDIRECT_URL): My work, or the portfolio for managers.
    page.wait_for_url(lambda url: url in (f"{live_server.url}/", f"{live_server.url}/portfolio/"))


@pytest.fixture
def page_for(new_context, live_server):
    def make():
        context = new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.console_errors = []

        def collect(message):
            # Only Hazlog's pages count; the test provider's bare pages have no favicon, for one.
            if message.type == "error" and message.location.get("url", "").startswith(live_server.url):
                page.console_errors.append(message.text)

        page.on("console", collect)
        return page

    return make


def _sign_in_at_the_provider(page, live_server, provider, username, *, tamper=None):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.wait_for_url(f"{provider.url}/accounts/login/**")
    if tamper:
        page.goto(tamper(page.url))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(provider.password)
    page.get_by_role("button", name="Log in at the provider").click()


def _expect_refused(page, live_server, message):
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    alert = page.locator("#messages .message.error")
    expect(alert).to_contain_text("Single sign-on failed")
    expect(alert).to_contain_text(message)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/$"))


def test_a_first_sign_in_creates_the_user_and_gives_the_roles_of_their_groups(
    sso_settings, oidc_provider, live_server, page_for
):
    acme = ProjectFactory(name="Acme rollout")
    beta = ProjectFactory(name="Beta")
    page = page_for()
    _sign_in_at_the_provider(page, live_server, oidc_provider, "olga")
    _wait_for_landing(page, live_server)
    expect(page.locator(".user-nav")).to_contain_text("olga")

    user = User.objects.get(username="olga")
    assert user.email == "olga@idp.example" and user.first_name == "Olga"
    assert not user.has_usable_password()
    assert OidcIdentity.objects.get(user=user).issuer == f"{oidc_provider.url}/o"
    roles = dict(Membership.objects.filter(user=user).values_list("project__name", "role"))
    assert roles == {"Acme rollout": Role.OWNER, "Beta": Role.VIEWER}
    assert GroupRoleGrant.objects.filter(membership__user=user).count() == 2
    assert AuditEvent.objects.filter(action="membership.created", actor=user).count() == 2
    # The projects are theirs now: the project list shows both.
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_role("link", name="Acme rollout")).to_be_visible()
    expect(page.get_by_role("link", name="Beta")).to_be_visible()

    # Signing out ends the provider's session too (RP-initiated logout) and comes back to the sign-in page, so
    # the next single sign-on asks the provider's password again; it finds the same user by the subject.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    _sign_in_at_the_provider(page, live_server, oidc_provider, "olga")
    _wait_for_landing(page, live_server)
    assert User.objects.filter(email="olga@idp.example").count() == 1
    assert OidcIdentity.objects.filter(user=user).count() == 1
    assert set(Membership.objects.filter(user=user).values_list("project_id", flat=True)) == {acme.pk, beta.pk}
    assert page.console_errors == []


def test_an_id_token_issued_for_another_client_is_refused(sso_settings, oidc_provider, live_server, page_for):
    page = page_for()
    _sign_in_at_the_provider(page, live_server, oidc_provider, "audrey")
    _expect_refused(page, live_server, "issued for another application")
    assert not User.objects.filter(username="audrey").exists()


def test_an_expired_id_token_is_refused(sso_settings, oidc_provider, live_server, page_for):
    page = page_for()
    _sign_in_at_the_provider(page, live_server, oidc_provider, "ernest")
    _expect_refused(page, live_server, "ID token has expired")
    assert not User.objects.filter(username="ernest").exists()


def test_a_deactivated_user_is_refused(sso_settings, oidc_provider, live_server, page_for):
    UserFactory(username="dora", email="dora@idp.example", is_active=False)
    page = page_for()
    _sign_in_at_the_provider(page, live_server, oidc_provider, "dora")
    _expect_refused(page, live_server, "This account is deactivated")
    assert User.objects.filter(email="dora@idp.example").count() == 1


def test_an_answer_with_a_tampered_state_is_refused(sso_settings, oidc_provider, live_server, page_for):
    page = page_for()
    forged = []

    def tamper(provider_login_url):
        # The authorization request waits in the provider's `next`; the provider sends its state back.
        url, count = re.subn(r"state%3D[^%&]+", "state%3Dforged-by-an-attacker", provider_login_url)
        forged.append(count)
        return url

    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oidc/callback/" in r.url else None)
    _sign_in_at_the_provider(page, live_server, oidc_provider, "tamara", tamper=tamper)
    _expect_refused(page, live_server, "does not belong to a sign-in started in this browser")
    assert forged == [1]
    assert "state=forged-by-an-attacker" in callbacks[0] and "code=" in callbacks[0]
    assert not User.objects.filter(username="tamara").exists()
