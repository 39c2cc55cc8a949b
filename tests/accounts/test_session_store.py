"""The session store reads what Django's database store reads: a live session, never an expired or ended one."""

import datetime

from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.session_store import SessionStore


def test_a_session_saved_by_djangos_store_is_read_with_its_data(db):
    saved = DjangoStore()
    saved["greeting"] = "hello"
    saved.save()
    assert SessionStore(saved.session_key)["greeting"] == "hello"


def test_an_expired_session_is_no_session_and_its_key_is_dropped(db):
    saved = SessionStore()
    saved["greeting"] = "hello"
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(expire_date=timezone.now() - datetime.timedelta(1))
    store = SessionStore(saved.session_key)
    assert store.load() == {} and store.session_key is None


def test_a_signed_out_session_is_not_read_again(db, contributor, client):
    client.force_login(contributor)
    key = client.session.session_key
    assert SessionStore(key).get("_auth_user_id") == str(contributor.pk)
    client.post("/accounts/logout/")
    assert SessionStore(key).load() == {}


def test_a_signed_in_page_is_served_from_the_session(contributor, client):
    client.force_login(contributor)
    assert client.get("/start/").status_code == 302  # the landing sends a member on to their work
    assert client.get("/start/", follow=True).context["user"] == contributor
