"""The sign-in page's SSO button, the SSO URLs when SSO is off, and refusals that never reach the provider."""

from django.urls import reverse

from accounts import sessions
from accounts.checks import oidc_settings_check


def _enable(settings, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration"):
    settings.OIDC_RP_CLIENT_ID = "hazlog"
    settings.OIDC_RP_CLIENT_SECRET = "s"
    settings.OIDC_OP_DISCOVERY_URL = discovery_url
    settings.OIDC_PROVIDER_NAME = "Acme ID"


def test_without_a_client_id_there_is_no_button_and_the_sso_urls_are_404(client, db):
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "s"}).status_code == 404


def test_with_a_client_id_the_sign_in_page_shows_the_providers_button(client, settings, db):
    _enable(settings)
    html = client.get(reverse("login"), {"next": "/projects/"}).content.decode()
    assert 'href="/oidc/authenticate/?next=/projects/"' in html
    assert "Sign in with Acme ID" in html


def test_a_provider_that_cannot_be_reached_is_said_so_on_the_sign_in_page(client, settings, db):
    _enable(settings)  # nothing listens on port 9
    response = client.get(reverse("oidc_authentication_init"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "The identity provider could not be reached" in response.content.decode()


def test_an_answer_the_browser_never_asked_for_is_refused(client, settings, db):
    _enable(settings)
    response = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "s"}, follow=True)
    assert "Single sign-on failed: this answer does not belong to a sign-in started in this browser" in (
        response.content.decode()
    )
    assert client.get(reverse("home")).status_code == 302
    # Nor does an error answer with an unknown state get its words onto the page.
    answer = {"error": "access_denied", "error_description": "Call 555-0100 now", "state": "s"}
    response = client.get(reverse("oidc_authentication_callback"), answer, follow=True)
    assert "555-0100" not in response.content.decode() and "does not belong" in response.content.decode()


def test_a_provider_error_code_is_shown_and_its_state_forgotten(client, settings, db):
    _enable(settings)
    session = client.session
    session["oidc_states"] = {"st": {"nonce": "n", "code_verifier": None, "added_on": 0}}
    session.save()
    response = client.get(
        reverse("oidc_authentication_callback"),
        {"error": "access_denied", "error_description": "The user said no", "state": "st"},
        follow=True,
    )
    html = response.content.decode()
    assert "the identity provider answered access_denied" in html and "The user said no" not in html
    assert client.session["oidc_states"] == {}


def test_a_deactivated_users_sso_session_ends(viewer, client):
    client.force_login(viewer, backend=sessions.OIDC_BACKEND)
    assert client.get(reverse("home")).status_code == 200
    viewer.is_active = False
    viewer.save()
    assert client.get(reverse("home")).status_code == 302


def test_the_configuration_check_names_what_is_missing_or_wrong(settings):
    assert oidc_settings_check(None) == []
    settings.OIDC_RP_CLIENT_ID = "hazlog"
    settings.OIDC_RP_CLIENT_SECRET = ""
    settings.OIDC_OP_DISCOVERY_URL = ""
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_GROUP_ROLE_MAP = "admins=acme:boss"
    messages = {error.id: error.msg for error in oidc_settings_check(None)}
    assert set(messages) == {"accounts.E001", "accounts.E002", "accounts.E003", "accounts.E004"}
    assert "OIDC_OP_ISSUER" in messages["accounts.E002"] and "OIDC_OP_TOKEN_ENDPOINT" not in messages["accounts.E002"]
    assert "'admins=acme:boss': the role must be one of" in messages["accounts.E004"]
