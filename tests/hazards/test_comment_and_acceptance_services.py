"""Comments with @mentions, and granting or revoking a risk acceptance."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assessments.errors import ContentFrozen, InvalidInput
from assessments.models import AuditEvent, Notification, Status
from hazards import services
from tests.factories import make_hazard


def test_a_mention_of_a_member_notifies_them_once(assessment, contributor, reviewer, outsider):
    scenario = make_hazard(assessment, contributor)
    comment = services.comment_create(
        assessment_id=assessment.pk,
        hazard_id=scenario.pk,
        by=contributor,
        body="@bob can you check the likelihood? (cc @mallory, mail alice@example.com)",
    )
    assert list(comment.mentions.values_list("username", flat=True)) == ["bob"]
    notification = Notification.objects.get(recipient=reviewer)
    assert notification.kind == "mention"
    assert notification.url == f"/hazards/{scenario.pk}/#comment-{comment.pk}"
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert AuditEvent.objects.get(action="comment.created").changes["mentions"] == [None, ["bob"]]


def test_viewers_cannot_comment_and_empty_comments_are_refused(assessment, viewer, contributor):
    with pytest.raises(PermissionDenied):
        services.comment_create(assessment_id=assessment.pk, by=viewer, body="hello")
    with pytest.raises(InvalidInput):
        services.comment_create(assessment_id=assessment.pk, by=contributor, body="   ")


def test_an_approver_accepts_residual_risk_until_a_date_within_the_project_limit(assessment, contributor, approver):
    scenario = make_hazard(assessment, contributor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk, by=approver, rationale="Bounded blast radius", expires_on=tomorrow
    )
    assert acceptance.accepted_by == approver
    assert AuditEvent.objects.get(action="acceptance.granted").object_ref == "H-001"
    with pytest.raises(InvalidInput) as excinfo:
        services.acceptance_grant(
            hazard_id=scenario.pk,
            by=approver,
            rationale="x",
            expires_on=timezone.localdate() + datetime.timedelta(days=366),
        )
    assert "at most 365 days" in excinfo.value.errors["expires_on"][0]
    with pytest.raises(InvalidInput):
        services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale="", expires_on=None)


def test_only_approvers_accept_risk(assessment, contributor, reviewer):
    scenario = make_hazard(assessment, contributor)
    with pytest.raises(PermissionDenied):
        services.acceptance_grant(
            hazard_id=scenario.pk,
            by=reviewer,
            rationale="x",
            expires_on=timezone.localdate() + datetime.timedelta(days=5),
        )


def test_acceptance_can_be_revoked_after_approval_but_not_granted(assessment, contributor, approver):
    scenario = make_hazard(assessment, contributor)
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="ok",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    with pytest.raises(ContentFrozen):
        services.acceptance_grant(
            hazard_id=scenario.pk,
            by=approver,
            rationale="more",
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    revoked = services.acceptance_revoke(acceptance_id=acceptance.pk, by=approver, reason="Incident on 2 Dec")
    assert revoked.revoked_by == approver and revoked.revoked_at is not None
    with pytest.raises(InvalidInput, match="already revoked"):
        services.acceptance_revoke(acceptance_id=acceptance.pk, by=approver, reason="again")
