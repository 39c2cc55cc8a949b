"""An assessment's planning dates follow the workflow table: they move while the revision is in force
(as mitigation progress does) and never once it is superseded or archived."""

import datetime

import pytest
from django.urls import reverse

from assessments import services
from assessments.errors import ContentFrozen
from assessments.models import AuditEvent, Status
from tests.assessments.workflow_states import reach

NEXT_YEAR = datetime.date(2027, 6, 1)


@pytest.fixture
def in_status(assessment, contributor, reviewer, approver, owner):
    return lambda status: reach(
        status, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner
    )


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED])
def test_the_dates_of_a_revision_in_force_can_move(status, in_status, contributor):
    revision = in_status(status)
    services.assessment_update(
        assessment_id=revision.pk, by=contributor, expected_version=None, next_review_date=NEXT_YEAR
    )
    revision.refresh_from_db()
    assert revision.next_review_date == NEXT_YEAR
    assert AuditEvent.objects.filter(action="assessment.updated", object_id=revision.pk).exists()


@pytest.mark.parametrize("status", [Status.SUPERSEDED, Status.ARCHIVED])
def test_the_dates_of_a_superseded_or_archived_revision_are_history(status, in_status, contributor, client_for):
    revision = in_status(status)
    version = revision.version
    with pytest.raises(ContentFrozen, match="nothing in it can change any more"):
        services.assessment_update(assessment_id=revision.pk, by=contributor, expected_version=None, due_date=NEXT_YEAR)
    revision.refresh_from_db()
    assert (revision.due_date, revision.version) == (None, version)
    assert not AuditEvent.objects.filter(action="assessment.updated", object_id=revision.pk).exists()

    # The page offers no edit link, and asking for the form directly is refused with the reason.
    client = client_for(contributor)
    detail = client.get(reverse("assessment_detail", args=[revision.pk])).content.decode()
    assert reverse("assessment_context_edit", args=[revision.pk]) not in detail
    form = client.get(reverse("assessment_context_edit", args=[revision.pk]), follow=True).content.decode()
    assert "nothing in it can change any more" in form
