"""Notification e-mails are sent one by one: a failure never causes a second send of mails already out."""

import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend

from assessments.models import Notification
from assessments.services.notifications import notifications_send_email


class FlakyBackend(EmailBackend):
    """Delivers to memory, but the server is 'down' for one address and refuses another for good."""

    def send_messages(self, messages):
        for message in messages:
            if message.to == ["down@example.com"]:
                raise smtplib.SMTPServerDisconnected("connection lost")
            if message.to == ["gone@example.com"]:
                raise smtplib.SMTPRecipientsRefused({"gone@example.com": (550, b"no such user")})
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    return mailoutbox


def _notify(project, user, cause):
    return Notification.objects.create(recipient=user, project=project, kind="mention", cause=cause, message=cause)


def test_a_server_outage_mid_batch_keeps_earlier_mails_marked_sent(project, reviewer, approver, flaky_mail):
    first = _notify(project, reviewer, "first")
    approver.email = "down@example.com"
    approver.save()
    stuck = _notify(project, approver, "second")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications_send_email()
    first.refresh_from_db()
    stuck.refresh_from_db()
    assert first.emailed_at is not None and stuck.emailed_at is None
    assert [m.to for m in flaky_mail] == [["bob@example.com"]]
    approver.email = "carol@example.com"
    approver.save()
    assert notifications_send_email() == 1
    assert [m.to for m in flaky_mail] == [["bob@example.com"], ["carol@example.com"]]


def test_an_address_refused_for_good_does_not_block_the_others(project, reviewer, approver, flaky_mail):
    approver.email = "gone@example.com"
    approver.save()
    refused = _notify(project, approver, "first")
    _notify(project, reviewer, "second")
    assert notifications_send_email() == 1
    refused.refresh_from_db()
    assert refused.emailed_at is not None
    assert [m.to for m in flaky_mail] == [["bob@example.com"]]
    assert notifications_send_email() == 0
