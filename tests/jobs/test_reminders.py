"""Daily reminders: selection per rule, one digest per person per day, e-mail once, opt-out, mail outages."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Assessment, Notification, Profile, ReminderDigest
from assessments.reminders import digests, rules
from assessments.services import workflow
from hazards import services
from hazards.models import RiskAcceptance
from tests.factories import make_hazard

TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def items_for(kind: str) -> dict[str, list[str]]:
    """username → texts of the items of one rule, for today."""
    from django.contrib.auth.models import User

    names = dict(User.objects.values_list("pk", "username"))
    rule = {
        rules.MITIGATION_DUE: rules.mitigations_due,
        rules.REVIEW_WAITING: rules.reviews_waiting,
        rules.ACCEPTANCE_EXPIRING: rules.acceptances_expiring,
        rules.REVIEW_OVERDUE: rules.reviews_overdue,
    }[kind]
    found: dict[str, list[str]] = {}
    for item in rule(TODAY):
        found.setdefault(names[item.user_id], []).append(item.text)
    return found


def mitigation(assessment, by, title, due, **fields):
    return services.mitigation_create(
        assessment_id=assessment.pk, by=by, title=title, kind="technical_control", due_date=due, **fields
    )


def test_owners_are_reminded_of_mitigations_due_within_seven_days_or_overdue(
    assessment, contributor, reviewer, owner, project
):
    mitigation(assessment, contributor, "Due in three days", day(3), owner=contributor)
    mitigation(assessment, contributor, "Due in seven days", day(7), owner=reviewer)
    mitigation(assessment, contributor, "Due in eight days", day(8), owner=contributor)
    mitigation(assessment, contributor, "Overdue", day(-4), owner=contributor)
    mitigation(assessment, contributor, "Done already", day(1), owner=contributor, status="implemented")
    mitigation(assessment, contributor, "Rejected", day(1), owner=contributor, status="rejected")
    mitigation(assessment, contributor, "Nobody owns it", day(1))
    left = mitigation(assessment, contributor, "Owner left the project", day(1), owner=owner)
    project.memberships.filter(user=owner).delete()
    assert left.owner == owner
    found = items_for(rules.MITIGATION_DUE)
    assert sorted(found) == ["alice", "bob"]
    assert sorted(found["alice"]) == [
        f"M-001 Due in three days in “IDE assistant rollout” is due in 3 days ({day(3).isoformat()}).",
        "M-004 Overdue in “IDE assistant rollout” is overdue by 4 days.",
    ]
    assert found["bob"] == [
        f"M-002 Due in seven days in “IDE assistant rollout” is due in 7 days ({day(7).isoformat()})."
    ]


def test_mitigations_of_superseded_or_archived_revisions_are_not_reminded(assessment, contributor):
    mitigation(assessment, contributor, "Old", day(1), owner=contributor)
    Assessment.objects.filter(pk=assessment.pk).update(status="superseded")
    assert items_for(rules.MITIGATION_DUE) == {}


def test_reviewers_and_approvers_who_have_not_approved_are_reminded_of_a_long_review(
    register, contributor, approver, project, settings
):
    settings.HAZLOG_REVIEW_REMINDER_DAYS = 3
    project.required_approvals = 2
    project.save()
    workflow.assessment_submit(assessment_id=register.pk, by=contributor)
    workflow.assessment_approve(assessment_id=register.pk, by=approver)
    Assessment.objects.filter(pk=register.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=4))
    found = items_for(rules.REVIEW_WAITING)
    # bob (reviewer), dave (approver) and olivia (owner); not carol who approved, not alice who submitted.
    assert sorted(found) == ["bob", "dave", "olivia"]
    assert found["bob"] == ["“IDE assistant rollout” (rev. 1) has waited 4 days for review."]


def test_a_review_younger_than_the_threshold_reminds_nobody(register, contributor, settings):
    settings.HAZLOG_REVIEW_REMINDER_DAYS = 3
    workflow.assessment_submit(assessment_id=register.pk, by=contributor)
    Assessment.objects.filter(pk=register.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))
    assert items_for(rules.REVIEW_WAITING) == {}


def test_acceptances_expiring_in_30_7_and_1_days_or_expired_remind_approvers_and_owners(
    assessment, contributor, approver
):
    def accepted(title: str, expires: datetime.date):
        hazard = make_hazard(assessment, contributor, title=title)
        acceptance = services.acceptance_grant(hazard_id=hazard.pk, by=approver, rationale="ok", expires_on=day(40))
        # Dates in the past cannot be granted; set them as time would have.
        RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=expires)
        return hazard, acceptance

    accepted("Thirty", day(30))
    accepted("Seven", day(7))
    accepted("One", day(1))
    accepted("Ten", day(10))
    accepted("Expired", day(-2))
    renewed_hazard, _ = accepted("Expired but renewed", day(-5))
    services.acceptance_grant(hazard_id=renewed_hazard.pk, by=approver, rationale="renewed", expires_on=day(60))
    _, revoked = accepted("Revoked", day(1))
    services.acceptance_revoke(acceptance_id=revoked.pk, by=approver, reason="no longer acceptable")
    found = items_for(rules.ACCEPTANCE_EXPIRING)
    assert sorted(found) == ["carol", "dave", "olivia"]
    texts = sorted(found["olivia"])
    assert len(texts) == 4
    assert any("H-001 Thirty" in t and "expires in 30 days" in t for t in texts)
    assert any("H-002 Seven" in t and "expires in 7 days" in t for t in texts)
    assert any("H-003 One" in t and "expires in 1 day." in t for t in texts)
    assert any("H-005 Expired" in t and f"expired on {day(-2).isoformat()}" in t for t in texts)
    assert found["carol"] == found["dave"] == found["olivia"]


def test_owners_are_reminded_of_approved_assessments_past_their_next_review(approved, project):
    Assessment.objects.filter(pk=approved.pk).update(next_review_date=day(-3))
    found = items_for(rules.REVIEW_OVERDUE)
    assert found == {
        "olivia": [f"“IDE assistant rollout” (rev. 1) was due for review on {day(-3).isoformat()} (3 days ago)."]
    }


def test_each_person_gets_one_digest_listing_every_item_in_app_and_by_email(
    assessment, contributor, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    register = assessment
    mitigation(register, contributor, "Static analysis gate", day(2), owner=contributor)
    mitigation(register, contributor, "Secure coding training", day(20), owner=contributor)
    mitigation(register, contributor, "Overdue control", day(-1), owner=contributor)
    with django_capture_on_commit_callbacks(execute=True):
        counts = digests.digests_create(today=TODAY)
    assert counts["people"] == 1 and counts["items"] == 2
    digest = ReminderDigest.objects.get()
    assert digest.user == contributor and digest.date == TODAY
    assert [item["kind"] for item in digest.items] == ["mitigation_due", "mitigation_due"]
    assert digest.items[0]["text"].startswith("M-003 Overdue control")  # overdue first
    assert digest.items[0]["url"] == f"/assessments/{register.pk}/#M-003"
    notification = Notification.objects.get(kind="reminder_digest")
    assert notification.recipient == contributor
    assert notification.url == f"/reminders/{TODAY.isoformat()}/"
    assert "2 items" in notification.message
    assert notification.emailed_at is not None  # the digest e-mail is the only e-mail
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@example.com"]
    assert "2 items" in message.subject
    assert f"http://127.0.0.1:8000/assessments/{register.pk}/#M-003" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://127.0.0.1:8000/assessments/{register.pk}/#M-001"' in html
    digest.refresh_from_db()
    assert digest.emailed_at is not None


def test_running_the_daily_reminders_twice_gives_one_digest_and_one_email(
    assessment, contributor, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    register = assessment
    mitigation(register, contributor, "Overdue control", day(-1), owner=contributor)
    with django_capture_on_commit_callbacks(execute=True):
        digests.digests_create(today=TODAY)
    mitigation(register, contributor, "Another overdue control", day(-1), owner=contributor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        digests.digests_create(today=TODAY)
    assert callbacks == []  # nothing left to e-mail
    assert ReminderDigest.objects.count() == 1
    assert len(ReminderDigest.objects.get().items) == 1  # the first digest of the day stands
    assert Notification.objects.filter(kind="reminder_digest").count() == 1
    assert len(mailoutbox) == 1
    assert digests.digests_requeue_unsent(today=TODAY) == 0
    # The next day is a new digest.
    with django_capture_on_commit_callbacks(execute=True):
        digests.digests_create(today=day(1))
    assert ReminderDigest.objects.count() == 2
    assert len(mailoutbox) == 2


def test_people_who_turned_digest_emails_off_still_get_the_digest_in_the_app(
    assessment, contributor, reviewer, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    register = assessment
    digests.profile_set_email_digests(user=contributor, enabled=False)
    assert Profile.objects.get(user=contributor).email_digests is False
    mitigation(register, contributor, "Overdue control", day(-1), owner=contributor)
    # Bob kept e-mails on: his digest shows that the e-mail path really ran in this test.
    mitigation(register, contributor, "Bob's overdue control", day(-1), owner=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        counts = digests.digests_create(today=TODAY)
    assert counts["emails_queued"] == 1
    assert ReminderDigest.objects.get(user=contributor).emailed_at is None
    assert ReminderDigest.objects.get(user=reviewer).emailed_at is not None
    assert Notification.objects.filter(recipient=contributor, kind="reminder_digest").exists()
    assert [message.to for message in mailoutbox] == [["bob@example.com"]]
    # The sweep for unsent digests leaves hers alone too...
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert digests.digests_requeue_unsent(today=TODAY) == 0
    assert callbacks == []
    # ...and a send already queued before she opted out does not mail her either.
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digest_send_email(digest_id=ReminderDigest.objects.get(user=contributor).pk) is False
    assert ReminderDigest.objects.get(user=contributor).emailed_at is None
    assert [message.to for message in mailoutbox] == [["bob@example.com"]]


def test_a_mail_server_that_is_down_leaves_the_digest_unsent_for_a_retry(register, contributor, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    mitigation(register, contributor, "Overdue control", day(-1), owner=contributor)
    digest = ReminderDigest.objects.create(
        user=contributor, date=TODAY, items=[{"kind": "mitigation_due", "text": "x", "url": "/", "project": "p"}]
    )
    with pytest.raises(OSError):
        digests.digest_send_email(digest_id=digest.pk)
    digest.refresh_from_db()
    assert digest.emailed_at is None
    # Back up: the retry sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests.digest_send_email(digest_id=digest.pk) is True
    assert digests.digest_send_email(digest_id=digest.pk) is False
    assert len(mail.outbox) == 1


def test_the_email_task_retries_a_mail_outage_and_never_marks_the_digest_sent(
    register, contributor, settings, celery_eager
):
    from celery.exceptions import Retry

    from assessments.tasks import reminders_email_digest

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    digest = ReminderDigest.objects.create(user=contributor, date=TODAY, items=[])
    celery_eager.conf.task_eager_propagates = True
    with pytest.raises((Retry, OSError)):
        reminders_email_digest.apply(args=[digest.pk], throw=True, retries=8)
    digest.refresh_from_db()
    assert digest.emailed_at is None


def test_the_reminder_scan_uses_the_same_number_of_queries_for_more_rows(
    assessment, contributor, django_assert_max_num_queries
):
    def scan():
        return sum(len(items) for items in rules.collect(TODAY).values())

    for n in range(3):
        mitigation(assessment, contributor, f"Small {n}", day(-1), owner=contributor)
    with django_assert_max_num_queries(10) as small:
        assert scan() == 3
    for n in range(30):
        mitigation(assessment, contributor, f"Large {n}", day(-1), owner=contributor)
    with django_assert_max_num_queries(10) as large:
        assert scan() == 33
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_reminder_scan_reads_in_bounded_batches(assessment, contributor, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(rules, "BATCH", 4)
    for n in range(10):
        mitigation(assessment, contributor, f"Due {n}", day(1), owner=contributor)
    # Ten candidates in batches of four: the list of ids and three batches for the mitigation rule; the
    # (empty) list of ids for each of the three other rules.
    with django_assert_num_queries(4 + 3):
        assert sum(len(items) for items in rules.collect(TODAY).values()) == 10


def test_a_long_digest_email_lists_fifty_items_per_kind_and_links_to_the_rest(contributor, mailoutbox, monkeypatch):
    items = [
        {
            "kind": "mitigation_due",
            "text": f"M-{n:03d} is overdue.",
            "url": f"/assessments/1/#M-{n:03d}",
            "project": "P",
        }
        for n in range(1, 61)
    ]
    digest = ReminderDigest.objects.create(user=contributor, date=TODAY, items=items)
    assert digests.digest_send_email(digest_id=digest.pk) is True
    body = mailoutbox[0].body
    assert "M-050 is overdue." in body and "M-051 is overdue." not in body
    assert f"and 10 more: http://127.0.0.1:8000/reminders/{TODAY.isoformat()}/" in body
    assert "and 10 more in Hazlog" in mailoutbox[0].alternatives[0][0]
    assert "60 items" in mailoutbox[0].subject
