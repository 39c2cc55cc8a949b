"""Risk acceptances: an approver accepts a scenario's residual risk until a date, or revokes that."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments import audit, permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards.models import HazardScenario, RiskAcceptance

ACCEPTANCE_FIELDS = ["rationale", "conditions", "expires_on"]


def _lock_for_acceptance(assessment_id: int, by: User, *, revoking: bool = False) -> Assessment:
    assessment = lock(Assessment, assessment_id)
    if not permissions.can_accept_risk(by, assessment.project):
        raise PermissionDenied("Only approvers and owners can accept or revoke risk.")
    # An acceptance is signed content: granted while the content is open. Revoking is also possible in
    # review or after approval (the risk is no longer acceptable); it changes the content, so approvals
    # given before it no longer count.
    if revoking:
        workflow.ensure_trackable(assessment)
    else:
        workflow.ensure_editable(assessment)
    return assessment


@transaction.atomic
def acceptance_grant(
    *,
    hazard_id: int,
    by: User,
    rationale: str,
    expires_on: datetime.date | None,
    conditions: str = "",
    via: str = Via.WEB,
) -> RiskAcceptance:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = _lock_for_acceptance(assessment_id, by)
    scenario = HazardScenario.objects.get(pk=hazard_id)
    errors: dict[str, list[str]] = {}
    rationale, conditions = (rationale or "").strip(), (conditions or "").strip()
    if not rationale:
        errors["rationale"] = ["Explain why this residual risk is acceptable."]
    today = timezone.localdate()
    latest = today + datetime.timedelta(days=assessment.project.max_acceptance_days)
    if not isinstance(expires_on, datetime.date):
        errors["expires_on"] = ["An acceptance needs an expiry date."]
    elif expires_on <= today:
        errors["expires_on"] = ["The expiry date must be in the future."]
    elif expires_on > latest:
        errors["expires_on"] = [
            f"This project allows acceptances of at most {assessment.project.max_acceptance_days} days "
            f"(until {latest.isoformat()})."
        ]
    if errors:
        raise InvalidInput(errors)
    acceptance = RiskAcceptance.objects.create(
        scenario=scenario, accepted_by=by, rationale=rationale, conditions=conditions, expires_on=expires_on
    )
    audit.record(
        actor=by,
        via=via,
        action="acceptance.granted",
        project=assessment.project,
        assessment=assessment,
        obj=acceptance,
        object_ref=scenario.ref,
        changes=audit.snapshot_fields(acceptance, ACCEPTANCE_FIELDS),
    )
    return acceptance


@transaction.atomic
def acceptance_revoke(
    *, acceptance_id: int, by: User, reason: str, expected_version: int | None = None, via: str = Via.WEB
) -> RiskAcceptance:
    scenario_id = RiskAcceptance.objects.values_list("scenario_id", flat=True).get(pk=acceptance_id)
    scenario = HazardScenario.objects.get(pk=scenario_id)
    assessment = _lock_for_acceptance(scenario.assessment_id, by, revoking=True)
    acceptance = lock(RiskAcceptance, acceptance_id)
    check_version(acceptance, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": ["Say why the acceptance is revoked."]})
    if acceptance.revoked_at is not None:
        raise InvalidInput({"__all__": ["This acceptance is already revoked."]})
    changes = {"revoked_at": timezone.now(), "revoked_by": by, "revoke_reason": reason}
    diff = audit.field_changes(acceptance, changes)
    save_versioned(acceptance, acceptance.version, changes)
    audit.record(
        actor=by,
        via=via,
        action="acceptance.revoked",
        project=assessment.project,
        assessment=assessment,
        obj=acceptance,
        object_ref=scenario.ref,
        changes=diff,
    )
    return acceptance
