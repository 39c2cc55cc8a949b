"""Assessment services: context, dates, and the frozen-content rule on the assessment's own fields."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assessments import services
from assessments.errors import ContentFrozen, InvalidInput, StaleVersion
from assessments.models import AuditEvent, Status


def test_create_records_the_context_and_an_audit_event(project, contributor):
    assessment = services.assessment_create(
        project_id=project.pk,
        by=contributor,
        title="Agent mode",
        model_name="CodeGen-X",
        deployment_channel="agent",
        due_date=datetime.date(2027, 3, 1),
    )
    assert (assessment.revision, assessment.status) == (1, Status.DRAFT)
    event = AuditEvent.objects.get(action="assessment.created")
    assert event.changes["deployment_channel"] == [None, "agent"]


def test_viewers_cannot_create_assessments(project, viewer):
    with pytest.raises(PermissionDenied):
        services.assessment_create(project_id=project.pk, by=viewer, title="Nope")


def test_bad_context_is_refused_per_field(project, contributor):
    with pytest.raises(InvalidInput) as excinfo:
        services.assessment_create(project_id=project.pk, by=contributor, title="", deployment_channel="fax")
    assert set(excinfo.value.errors) == {"title", "deployment_channel"}


def test_update_checks_the_version(assessment, contributor, reviewer):
    services.assessment_update(assessment_id=assessment.pk, by=reviewer, expected_version=1, model_version="2.0")
    with pytest.raises(StaleVersion):
        services.assessment_update(assessment_id=assessment.pk, by=contributor, expected_version=1, model_version="3.0")
    assessment.refresh_from_db()
    assert assessment.model_version == "2.0"


def test_context_is_frozen_after_submission_but_dates_can_move(assessment, contributor):
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    with pytest.raises(ContentFrozen):
        services.assessment_update(assessment_id=assessment.pk, by=contributor, expected_version=1, title="New")
    services.assessment_update(
        assessment_id=assessment.pk, by=contributor, expected_version=1, next_review_date=datetime.date(2027, 6, 1)
    )
    assessment.refresh_from_db()
    assert assessment.next_review_date == datetime.date(2027, 6, 1)
