"""TOTP two-step sign-in for local accounts: enrolment, the code after the password, turning it off, throttling."""

import re
import time

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import sessions
from tests.accounts.conftest import next_code

PASSWORD = "correct horse battery staple"


def _landing():
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _password(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_enrolment_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(viewer, client_for):
    client = client_for(viewer)
    page = client.get(reverse("two_factor_enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<path" in html
    device = TOTPDevice.objects.get(user=viewer)
    assert not device.confirmed
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    # Reloading the page keeps the same key: the app the user already scanned stays right.
    assert secret in client.get(reverse("two_factor_enrol")).content.decode()
    assert TOTPDevice.objects.filter(user=viewer).count() == 1

    response = client.post(reverse("two_factor_enrol"), {"code": next_code(device)})
    # The recovery codes are shown at once, this once (tests/accounts/test_recovery_codes.py).
    assert response.status_code == 200 and "Your recovery codes" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert "is <strong>on</strong>" in client.get(reverse("two_factor")).content.decode()


def test_a_wrong_enrolment_code_says_so_and_leaves_it_off(viewer, client_for):
    client = client_for(viewer)
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000x"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=viewer).confirmed


def test_with_a_device_the_password_alone_does_not_sign_in(viewer, client, enrolled):
    enrolled(viewer)
    response = _password(client, "victor")
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert client.get(reverse("home")).status_code == 302
    page = client.get(reverse("login_code"))
    assert "Signing in as <strong>victor</strong>" in page.content.decode()


def test_the_right_code_after_the_password_signs_in_and_marks_the_session_verified(viewer, client, enrolled):
    device = enrolled(viewer)
    _password(client, "victor")
    response = client.post(reverse("login_code"), {"code": next_code(device)})
    assert response.status_code == 302 and response["Location"] == _landing()
    assert client.get(reverse("home")).status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_wrong_code_is_refused_with_a_message_and_the_user_stays_signed_out(viewer, client, enrolled):
    device = enrolled(viewer)
    _password(client, "victor")
    wrong = f"{(int(next_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("login_code"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # Straight after, even the right code waits: django-otp's own delay between wrong codes.
    again = client.post(reverse("login_code"), {"code": next_code(device)})
    assert "Wait a few seconds" in again.content.decode()


def test_a_code_is_accepted_only_once(viewer, client, enrolled, client_for):
    device = enrolled(viewer)
    code = next_code(device)
    _password(client, "victor")
    assert client.post(reverse("login_code"), {"code": code}).status_code == 302
    other = type(client)()
    _password(other, "victor")
    assert "That code is not right" in other.post(reverse("login_code"), {"code": code}).content.decode()


def test_repeated_wrong_codes_are_throttled_even_with_the_right_code(viewer, client, enrolled):
    device = enrolled(viewer)
    _password(client, "victor")
    for _ in range(10):
        # django-otp's own per-device delay would answer first; this test is about the address throttle.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        client.post(reverse("login_code"), {"code": "123456"})
    response = client.post(reverse("login_code"), {"code": next_code(device)})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_code_step_expires_and_asks_for_the_password_again(viewer, client, enrolled):
    device = enrolled(viewer)
    _password(client, "victor")
    session = client.session
    session[sessions.PENDING_KEY] = {**session[sessions.PENDING_KEY], "started": time.time() - 301}
    session.save()
    response = client.post(reverse("login_code"), {"code": next_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Sign in with your password first" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_code_page_without_a_password_sends_to_sign_in(client, db):
    response = client.get(reverse("login_code"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_turning_it_off_needs_a_current_code(viewer, client_for, enrolled):
    device = enrolled(viewer)
    client = client_for(viewer)
    refused = client.post(reverse("two_factor_disable"), {"code": "999999"})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=viewer).exists()
    # django-otp refuses any code for a second after a wrong one; that second has passed.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(reverse("two_factor_disable"), {"code": next_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    # The next sign-in asks for the password only.
    fresh = type(client)()
    assert _password(fresh, "victor")["Location"] == _landing()


def test_staff_cannot_turn_it_off(staff, client, enrolled):
    device = enrolled(staff)
    _password(client, "sam")
    client.post(reverse("login_code"), {"code": next_code(device)})
    response = client.post(reverse("two_factor_disable"), {"code": next_code(device)})
    assert "Staff accounts must keep two-step sign-in on" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_staff_are_held_at_enrolment_on_every_page_and_the_admin(staff, client):
    response = _password(client, "sam")
    assert response.status_code == 302
    for url in (reverse("home"), reverse("project_list"), "/admin/", "/admin/auth/user/"):
        held = client.get(url)
        assert held.status_code == 302, url
        assert held["Location"] == reverse("two_factor_enrol"), url
    htmx = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("two_factor_enrol")
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200 and "Staff accounts must set up two-step sign-in" in page.content.decode()


def test_staff_reach_the_admin_once_enrolled(staff, client):
    _password(client, "sam")
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("two_factor_enrol"), {"code": next_code(device)})
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_enrolled_staff_give_the_code_at_sign_in_and_then_reach_the_admin(staff, client, enrolled):
    device = enrolled(staff)
    assert _password(client, "sam")["Location"] == reverse("login_code")
    assert client.get("/admin/").status_code == 302
    client.post(reverse("login_code"), {"code": next_code(device)})
    assert client.get("/admin/").status_code == 200


def test_a_staff_session_without_its_code_is_asked_for_it(staff, enrolled, client_for):
    device = enrolled(staff)
    client = client_for(staff)  # a session opened without the code (as one from before the device was)
    assert client.get(reverse("home"))["Location"] == reverse("two_factor_verify")
    assert client.get(reverse("two_factor_enrol"))["Location"] == reverse("two_factor_verify")
    client.post(reverse("two_factor_verify"), {"code": next_code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_is_hazlogs(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


def test_staff_signed_in_through_the_identity_provider_are_not_asked_for_a_local_code(staff, client):
    client.force_login(staff, backend=sessions.OIDC_BACKEND)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 200
    assert "Your identity provider asks for your second factor" in client.get(reverse("two_factor")).content.decode()
    assert client.get(reverse("two_factor_enrol"))["Location"] == reverse("two_factor")


def test_api_tokens_keep_working_with_two_step_sign_in(staff, viewer, project, enrolled, api_client_for):
    enrolled(viewer)
    assert api_client_for(viewer).get("/api/v1/projects/").status_code == 200
    # Even staff who have not enrolled yet: a token request carries no session to hold.
    assert api_client_for(staff).get("/api/v1/projects/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_from_the_two_step_pages(client, db):
    for name in ("two_factor", "two_factor_enrol", "two_factor_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
    for name in ("two_factor_disable", "two_factor_recovery_codes"):
        response = client.post(reverse(name), {"code": "123456"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_the_admin_never_shows_a_device_key_and_only_superusers_delete_devices(staff, viewer, enrolled, client):
    from tests.webtools import force_login_verified

    device = enrolled(viewer)
    force_login_verified(client, staff)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and "victor" in listing.content.decode()
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page and "qrcode" not in page.lower()
    # django-otp's own admin serves the key's QR code here; this one has no such page.
    qr_page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/", follow=True)
    assert device.key not in qr_page.content.decode() and qr_page.get("Content-Type", "").startswith("text/html")
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
