"""Review reminders go to everyone who may review, owners included, as the submit notification and the
"My work" dashboard do."""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from assessments import selectors
from assessments.models import Assessment, Notification
from assessments.reminders import rules
from assessments.services import workflow
from tests.jobs.test_reminders import TODAY


def _long_review(register, contributor, settings):
    settings.HAZLOG_REVIEW_REMINDER_DAYS = 3
    workflow.assessment_submit(assessment_id=register.pk, by=contributor)
    Assessment.objects.filter(pk=register.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=4))


def _reminded() -> set[str]:
    names = dict(User.objects.values_list("pk", "username"))
    return {names[item.user_id] for item in rules.reviews_waiting(TODAY)}


def test_an_owner_who_may_approve_is_reminded_of_a_review_waiting_for_them(register, contributor, owner, settings):
    _long_review(register, contributor, settings)
    assert "olivia" in _reminded()


def test_the_people_reminded_are_those_notified_at_submission_and_shown_the_review_on_their_dashboard(
    register, contributor, project, settings
):
    _long_review(register, contributor, settings)
    notified = set(
        Notification.objects.filter(kind="review_requested", project=project).values_list(
            "recipient__username", flat=True
        )
    )
    on_dashboard = {
        member.username
        for member in User.objects.filter(memberships__project=project)
        if selectors.reviews_waiting(user=member).filter(pk=register.pk).exists()
    }
    assert _reminded() == notified == on_dashboard == {"olivia", "bob", "carol", "dave"}
