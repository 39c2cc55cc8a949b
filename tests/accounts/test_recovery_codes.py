"""Recovery codes: shown once when two-step sign-in is turned on, kept as digests, each accepted once wherever
the authenticator's code is, replaced on request, throttled like codes, removed with the device."""

import hashlib
import re

from django.urls import reverse

from accounts.models import RecoveryCode
from accounts.services import recovery
from tests.accounts.conftest import next_code

PASSWORD = "correct horse battery staple"


def _codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)


def _sign_in_with(client, code):
    client.post(reverse("login"), {"username": "victor", "password": PASSWORD})
    return client.post(reverse("login_code"), {"code": code})


def test_turning_it_on_shows_ten_codes_once_and_keeps_only_their_digests(viewer, client_for):
    client = client_for(viewer)
    client.get(reverse("two_factor_enrol"))
    device = viewer.totpdevice_set.get()
    page = client.post(reverse("two_factor_enrol"), {"code": next_code(device)}).content.decode()
    codes = _codes(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=viewer).values_list("digest", flat=True))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert not any(code in page for code in _codes(client.get(reverse("two_factor")).content.decode()))
    assert "10 unused recovery codes left" in client.get(reverse("two_factor")).content.decode()


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(viewer, client, enrolled, caplog):
    enrolled(viewer)
    codes = recovery.recovery_codes_issue(user=viewer)
    with caplog.at_level("INFO", logger="accounts.recovery"):
        response = _sign_in_with(client, " " + codes[0].upper() + " ")  # typed loosely
    assert response.status_code == 302
    assert f"recovery code used by victor (user {viewer.pk}); 9 left" in caplog.text  # the security log
    assert codes[0] not in caplog.text
    assert "9 left" in client.get(response["Location"], follow=True).content.decode()
    client.post(reverse("logout"))
    again = _sign_in_with(client, codes[0])
    assert again.status_code == 200 and recovery.WRONG_CODE in again.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still signed out


def test_new_codes_replace_the_old_ones(viewer, client_for, enrolled):
    device = enrolled(viewer)
    old = recovery.recovery_codes_issue(user=viewer)
    client = client_for(viewer)
    page = client.post(reverse("two_factor_recovery_codes"), {"code": next_code(device)}).content.decode()
    new = _codes(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=viewer).count() == 10
    refused = client.post(reverse("two_factor_recovery_codes"), {"code": old[1]})
    assert recovery.WRONG_CODE in refused.content.decode() and not _codes(refused.content.decode())


def test_a_lost_app_can_be_turned_off_with_a_recovery_code_which_removes_the_codes(viewer, client_for, enrolled):
    enrolled(viewer)
    codes = recovery.recovery_codes_issue(user=viewer)
    client = client_for(viewer)
    response = client.post(reverse("two_factor_disable"), {"code": codes[3]})
    assert response.status_code == 302
    assert not viewer.totpdevice_set.exists() and not RecoveryCode.objects.filter(user=viewer).exists()


def test_wrong_recovery_codes_are_throttled_like_wrong_codes(viewer, client, enrolled):
    enrolled(viewer)
    codes = recovery.recovery_codes_issue(user=viewer)
    client.post(reverse("login"), {"username": "victor", "password": PASSWORD})
    for _ in range(10):
        client.post(reverse("login_code"), {"code": "aaaaa-aaaaa"})
    response = client.post(reverse("login_code"), {"code": codes[0]})
    assert response.status_code == 429
    assert RecoveryCode.objects.filter(user=viewer, used_at__isnull=True).count() == 10  # the right one not spent
