"""Notification e-mails that never got their task (Redis down) are sent by the periodic sweep, once."""

from celery import current_app

from assessments.models import Notification
from assessments.services.notifications import notify
from assessments.tasks import notifications_email


def test_the_beat_schedule_sweeps_pending_notification_emails():
    entry = current_app.conf.beat_schedule["notifications-email-pending"]
    assert entry["task"] == notifications_email.name


def test_the_sweep_sends_every_pending_email_once(project, reviewer, approver, contributor, mailoutbox):
    # Written without its task running (as when the broker was down at commit time).
    for n, person in enumerate([reviewer, approver]):
        Notification.objects.create(recipient=person, project=project, kind="mention", cause=f"c{n}", message="hi")
    assert notifications_email() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.com", "carol@example.com"]
    assert notifications_email() == 0
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    notify(recipients=[contributor], project=project, kind="mention", cause="c9", message="again", email=False)
    assert notifications_email() == 0
