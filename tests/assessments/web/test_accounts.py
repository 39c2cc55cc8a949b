"""Sign in and out, password change and reset (by e-mail), and the throttle on failed sign-ins."""

import re

from django.contrib.auth.models import User
from django.urls import reverse


def test_sign_in_leads_to_my_work_and_sign_out_needs_a_post(viewer, client):
    response = client.post(reverse("login"), {"username": "victor", "password": "correct horse battery staple"})
    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert client.get(reverse("landing"))["Location"] == reverse("home")  # a viewer manages nothing
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so_without_saying_which_part(viewer, client):
    response = client.post(reverse("login"), {"username": "victor", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_are_throttled_even_with_the_right_password(viewer, client):
    for _ in range(10):
        client.post(reverse("login"), {"username": "victor", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "victor", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_password_reset_sends_a_working_link_by_email(viewer, client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "victor@example.com"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a much better passphrase", "new_password2": "a much better passphrase"},
    )
    assert User.objects.get(username="victor").check_password("a much better passphrase")


def test_password_change_needs_the_old_password(viewer, client_for):
    client = client_for(viewer)
    bad = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert bad.status_code == 200 and 'id="id_old_password_error"' in bad.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password("correct horse battery staple")
    assert not viewer.check_password("another long passphrase")
    good = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert good.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("another long passphrase")
    assert not viewer.check_password("correct horse battery staple")
    # The session that changed it stays signed in (its hash was updated), so the next page still opens.
    assert client.get(reverse("home")).status_code == 200
