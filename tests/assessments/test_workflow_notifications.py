"""Who is told about each transition: once per person per cause, in the app and by e-mail."""

import pytest

from assessments.models import Notification
from assessments.services import workflow
from config.celery import app
from hazards import services
from tests.assessments.workflow_states import make_ready


@pytest.fixture
def eager_tasks():
    # The e-mail task runs in-process here, as it does in the embedded default; a worker is not the point.
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_request_changes_tells_the_contributors_including_members_who_wrote_content(
    assessment, contributor, reviewer, owner
):
    make_ready(assessment, contributor)
    services.hazard_create(assessment_id=assessment.pk, by=owner, title="Added by the owner")
    services.hazard_update(
        hazard_id=assessment.scenarios.get(ref="H-002").pk,
        by=contributor,
        expected_version=None,
        residual_likelihood=1,
        residual_severity=1,
        inherent_likelihood=1,
        inherent_severity=1,
    )
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_request_changes(assessment_id=assessment.pk, by=reviewer, comment="Explain H-002.")
    assert recipients("changes_requested") == {"alice", "olivia"}
    note = Notification.objects.get(kind="changes_requested", recipient=contributor)
    assert note.message == "bob requested changes to “IDE assistant rollout” (rev. 1): Explain H-002."
    assert note.url == f"/assessments/{assessment.pk}/"


def test_each_submission_round_is_its_own_cause_and_nobody_is_told_twice_about_one(assessment, contributor, reviewer):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_request_changes(assessment_id=assessment.pk, by=reviewer, comment="Again please.")
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    per_person = Notification.objects.filter(kind="review_requested", recipient=reviewer)
    assert per_person.count() == 2
    assert len(set(per_person.values_list("cause", flat=True))) == 2
    assert not Notification.objects.filter(kind="review_requested", recipient=contributor).exists()


def test_notifications_are_emailed_after_the_transition_commits(
    assessment, contributor, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    make_ready(assessment, contributor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "bob@example.com",
        "carol@example.com",
        "dave@example.com",
        "olivia@example.com",
    ]
    assert mailoutbox[0].subject == "[Hazlog] alice submitted “IDE assistant rollout” (rev. 1) for review."
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
