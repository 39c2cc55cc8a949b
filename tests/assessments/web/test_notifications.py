"""Notifications: unread count in the navigation, the list, marking one or all read."""

from django.urls import reverse

from assessments.models import Notification
from assessments.services.notifications import notify
from tests.webtools import HTMX


def _notify(user, n):
    for i in range(n):
        notify(recipients=[user], project=None, kind="test", cause=f"test:{i}", message=f"Message {i}", email=False)


def test_the_navigation_shows_the_unread_count(viewer, client_for):
    _notify(viewer, 3)
    html = client_for(viewer).get(reverse("home")).content.decode()
    assert 'aria-label="3 unread"' in html


def test_marking_one_read_in_place_and_all_read(viewer, client_for):
    _notify(viewer, 2)
    client = client_for(viewer)
    first = Notification.objects.order_by("id").first()
    response = client.post(reverse("notifications_mark_read"), {"id": first.pk}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    response = client.post(reverse("notifications_mark_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_people_only_see_and_mark_their_own_notifications(viewer, outsider, client_for):
    _notify(viewer, 1)
    theirs = Notification.objects.get()
    client = client_for(outsider)
    assert "Message 0" not in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications_mark_read"), {"id": theirs.pk})
    assert client.post(reverse("notifications_mark_read"), {"id": theirs.pk}, headers=HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_can_show_unread_only(viewer, client_for):
    _notify(viewer, 2)
    Notification.objects.filter(message="Message 0").update(read_at="2026-01-01T00:00:00Z")
    html = client_for(viewer).get(reverse("notifications"), {"show": "unread"}).content.decode()
    assert "Message 1" in html and "Message 0" not in html
