"""Risk acceptances: an approver accepts a scenario's residual risk until a date, revokes it, or it expires."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import audit, permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import Assessment, Role, Via
from assessments.selectors import project_members_with_role
from assessments.services.notifications import notify
from assessments.versioning import check_version, lock, save_versioned
from hazards.models import HazardScenario, RiskAcceptance, Treatment
from hazards.services.common import bump_content_seq

ACCEPTANCE_FIELDS = ["rationale", "conditions", "expires_on"]
# Those who may accept risk, and so are told when a scenario needs (or lost) an acceptance.
ACCEPTORS = (Role.APPROVER, Role.OWNER)


def _where(scenario: HazardScenario, assessment: Assessment) -> str:
    return f"{scenario.ref} “{scenario.title}” in “{assessment.title}” (rev. {assessment.revision})"


def has_valid_acceptance(scenario: HazardScenario, *, today: datetime.date | None = None) -> bool:
    return scenario.acceptances.valid(on=today).exists()


def notify_needs_acceptance(*, scenario: HazardScenario, assessment: Assessment, by: User | None) -> int:
    """Tell approvers and owners that a scenario treated by acceptance has no valid acceptance.

    Called when a scenario's treatment becomes `accept`; one notification per person per such change
    (the cause carries the scenario's version).
    """
    if scenario.treatment != Treatment.ACCEPT or has_valid_acceptance(scenario):
        return 0
    return notify(
        recipients=project_members_with_role(project=assessment.project, roles=ACCEPTORS),
        exclude=[by] if by is not None else [],
        project=assessment.project,
        kind="acceptance_needed",
        cause=f"hazard:{scenario.pk}:acceptance_needed:{scenario.version}",
        message=f"{_where(scenario, assessment)} is to be accepted; it needs an approver's risk acceptance.",
        url=f"/hazards/{scenario.pk}/",
    )


def _lapse_recipients(scenario: HazardScenario, assessment: Assessment) -> list[User]:
    people = list(project_members_with_role(project=assessment.project, roles=ACCEPTORS))
    if scenario.owner_id is not None and permissions.can_view(scenario.owner, assessment.project):
        people.append(scenario.owner)
    return people


def _lock_for_acceptance(assessment_id: int, by: User, *, revoking: bool = False) -> Assessment:
    assessment = lock(Assessment, assessment_id)
    bump_content_seq(assessment)  # an acceptance is content: the portfolio lists those expiring soon
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
    notify(
        recipients=_lapse_recipients(scenario, assessment),
        exclude=[by],
        project=assessment.project,
        kind="acceptance_revoked",
        cause=f"acceptance:{acceptance.pk}:revoked",
        message=f"{by.get_username()} revoked the risk acceptance of {_where(scenario, assessment)}: {reason}",
        url=f"/hazards/{scenario.pk}/",
    )
    return acceptance


def acceptances_expire(*, today: datetime.date | None = None, batch_size: int = 500) -> int:
    """Mark acceptances whose expiry date has passed as expired, once each; returns how many were marked.

    Each gets an `acceptance.expired` audit event; approvers, owners and the scenario's owner are told
    (for revisions still in use). Works in batches, each its own transaction, with rows claimed under
    a lock (SKIP LOCKED), so two sweeps at once, or a sweep run twice, mark every acceptance once.
    An acceptance is valid through its expiry date and expired from the day after.
    """
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                RiskAcceptance.objects.select_for_update(skip_locked=True, of=("self",))
                .expired(on=today)
                .filter(expired_at__isnull=True)
                .select_related("scenario__assessment__project", "scenario__owner", "accepted_by")
                .order_by("id")[:batch_size]
            )
            if not batch:
                return total
            now = timezone.now()
            RiskAcceptance.objects.filter(pk__in=[a.pk for a in batch]).update(
                expired_at=now, updated_at=now, version=F("version") + 1
            )
            for acceptance in batch:
                acceptance.version += 1  # the UPDATE moved it; the event records the new one
                _announce_expiry(acceptance, now)
        total += len(batch)
        if len(batch) < batch_size:
            return total


def _announce_expiry(acceptance: RiskAcceptance, now: datetime.datetime) -> None:
    scenario = acceptance.scenario
    assessment = scenario.assessment
    audit.record(
        actor=None,
        via=Via.TASK,
        action="acceptance.expired",
        project=assessment.project,
        assessment=assessment,
        obj=acceptance,
        object_ref=scenario.ref,
        changes={"expired_at": [None, audit.audit_value(now)]},
    )
    # Expiries in revisions still tracked are announced; superseded and archived revisions are history.
    if assessment.status not in workflow.TRACKING_STATUSES:
        return
    notify(
        recipients=_lapse_recipients(scenario, assessment),
        project=assessment.project,
        kind="acceptance_expired",
        cause=f"acceptance:{acceptance.pk}:expired",
        message=(
            f"The risk acceptance of {_where(scenario, assessment)} by {acceptance.accepted_by.get_username()} "
            f"expired on {acceptance.expires_on.isoformat()}; the scenario needs review."
        ),
        url=f"/hazards/{scenario.pk}/",
    )
