"""The workflow transitions, one service each; the only code that assigns Assessment.status.

Each service locks the assessment row, checks the transition table and the guards, writes, records
the AuditEvent and notifies the people concerned once the transaction commits.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from assessments import audit, permissions, snapshot, workflow
from assessments.errors import InvalidInput, InvalidTransition
from assessments.models import Approval, Assessment, AuditEvent, Role, Snapshot, Status, Via
from assessments.revisions import copy_content
from assessments.selectors import project_members_with_role
from assessments.services.notifications import notify
from assessments.verification import live_hash
from assessments.versioning import check_version, lock
from evaluations.freshness import stale_reasons
from hazards import scoring

# Audit actions that write an assessment's content: their actors are the revision's contributors.
CONTENT_ACTION_PREFIXES = ("hazard.", "consequence.", "mitigation.")
CONTENT_ACTIONS = ("assessment.created", "assessment.updated")


@dataclass(frozen=True)
class TransitionOption:
    """A transition the user may take, and why it is disabled if it is."""

    name: str
    label: str
    enabled: bool
    reason: str = ""


def hazard_model(name: str):
    # hazards builds on assessments; its models are reached by name so the dependency stays one-way.
    return apps.get_model("hazards", name)


# --- Guards --------------------------------------------------------------------------------------------


def _refs(all_refs: list[str]) -> str:
    refs = all_refs[:8]
    more = len(all_refs) - len(refs)
    return ", ".join(refs) + (f" and {more} more" if more > 0 else "")


def uncovered_scenarios(assessment: Assessment) -> list[str]:
    """Refs of the scenarios at or above the sign-off level with neither a live mitigation nor a valid
    acceptance (plain values: the status panel asks on every view of the page, and a model instance per
    scenario cost more than the query)."""
    today = timezone.localdate()
    live_mitigation = hazard_model("Mitigation").objects.filter(scenarios=OuterRef("pk")).exclude(status="rejected")
    valid_acceptance = hazard_model("RiskAcceptance").objects.filter(scenario=OuterRef("pk")).valid(on=today)
    return list(
        assessment.scenarios.filter(residual_rank__gte=scoring.signoff_rank(assessment.matrix))
        .filter(~Exists(live_mitigation) & ~Exists(valid_acceptance))
        .order_by("number")
        .values_list("ref", flat=True)
    )


def stale_evidence(assessment: Assessment) -> list[tuple[str, str, list[str]]]:
    """(scenario ref, run ref, reasons) for every cited run that no longer speaks for this assessment."""
    citations = (
        hazard_model("EvidenceCitation")
        .objects.filter(scenario__assessment=assessment)
        .select_related("run", "scenario")
        .order_by("scenario__number", "pk")
    )
    found = []
    for citation in citations:
        reasons = stale_reasons(citation.run, assessment)
        if reasons:
            found.append((citation.scenario.ref, citation.run.ref, reasons))
    return found


def stale_evidence_text(stale: list[tuple[str, str, list[str]]]) -> str:
    refs = sorted({ref for ref, _, _ in stale})
    return (
        f"{len(stale)} cited evaluation result{'s are' if len(stale) != 1 else ' is'} stale "
        f"({', '.join(refs[:8])}{' and more' if len(refs) > 8 else ''}): {stale[0][2][0]}"
    )


def submit_warnings(assessment: Assessment) -> list[str]:
    """What a submitter should know but may go ahead with: stale evidence, unless the project makes it a guard."""
    if assessment.project.stale_evidence_blocks_submit:
        return []
    stale = stale_evidence(assessment)
    return [stale_evidence_text(stale) + " Re-run the evaluation or check the ratings."] if stale else []


def submit_problems(assessment: Assessment) -> list[str]:
    """Why the content cannot be submitted yet (empty when it can)."""
    problems = []
    if assessment.project.stale_evidence_blocks_submit:
        stale = stale_evidence(assessment)
        if stale:
            problems.append(stale_evidence_text(stale) + " This project does not accept stale evidence.")
    scenarios = assessment.scenarios.all()
    if not scenarios.exists():
        return ["Add at least one hazard scenario before submitting."]
    unrated = list(
        scenarios.filter(
            Q(inherent_likelihood__isnull=True)
            | Q(inherent_severity__isnull=True)
            | Q(residual_likelihood__isnull=True)
            | Q(residual_severity__isnull=True)
        )
        .order_by("number")
        .values_list("ref", flat=True)
    )
    if unrated:
        problems.append(
            f"{len(unrated)} scenario{'s are' if len(unrated) != 1 else ' is'} not fully rated "
            f"(inherent and residual): {_refs(unrated)}."
        )
    uncovered = uncovered_scenarios(assessment)
    if uncovered:
        level = scoring.level_by_key(assessment.matrix, assessment.matrix["signoff_level"]).name
        problems.append(
            f"{len(uncovered)} scenario{'s' if len(uncovered) != 1 else ''} at {level} residual risk or above "
            f"{'have' if len(uncovered) != 1 else 'has'} no mitigation or accepted risk: {_refs(uncovered)}."
        )
    return problems


def counting_approvals(assessment: Assessment, *, live: str | None = None):
    """Approvals that count: given to the content as submitted, while the content is still exactly that.

    If anything changed the content after submission (a revoked acceptance, or any other path), no
    approval counts until the revision is submitted again. This is the rule for a revision in review;
    to show the approvals of any revision, counted or outdated, use `verification.approval_states`.
    """
    if live is None:
        live = live_hash(assessment)
    if not assessment.content_hash or live != assessment.content_hash:
        return assessment.approvals.none()
    return assessment.approvals.filter(content_hash=live).select_related("approver")


def _guard_problems(name: str, assessment: Assessment, by: User, *, live: str | None = None) -> list[str]:
    if name == workflow.SUBMIT:
        return submit_problems(assessment)
    if name == workflow.APPROVE:
        if assessment.submitted_by_id == by.pk:
            return ["You submitted this revision; someone else must approve it (four eyes)."]
        if live is None:
            live = live_hash(assessment)
        if live != assessment.content_hash:
            return [
                "The content changed after it was submitted, so approvals given before no longer count. "
                "Request changes and submit it again."
            ]
        if counting_approvals(assessment, live=live).filter(approver=by).exists():
            return ["You have already approved this content."]
    if name == workflow.START_REVISION:
        newer = Assessment.objects.filter(lineage=assessment.lineage, revision__gt=assessment.revision)
        latest = newer.order_by("-revision").values_list("revision", flat=True).first()
        if latest:
            return [f"Revision {latest} already exists; continue there."]
    return []


def transition_options(*, user: User, assessment: Assessment, live: str | None = None) -> list[TransitionOption]:
    """The transitions the user's role allows from the current status, each enabled or with reasons.

    `live` is the content's hash now, when the caller has it already (it saves a snapshot build).
    """
    options = []
    for transition in workflow.allowed_from(assessment.status):
        if not transition.capability(user, assessment.project):
            continue
        problems = _guard_problems(transition.name, assessment, user, live=live)
        options.append(TransitionOption(transition.name, transition.label, not problems, " ".join(problems)))
    return options


def _check(name: str, assessment: Assessment, by: User) -> None:
    transition = workflow.TRANSITIONS[name]
    if assessment.status not in transition.sources:
        raise InvalidTransition(
            f"Cannot {transition.label.lower()} an assessment that is {Status(assessment.status).label.lower()}."
        )
    if not transition.capability(by, assessment.project):
        raise PermissionDenied(transition.capability_text)
    problems = _guard_problems(name, assessment, by)
    if problems:
        raise InvalidTransition(" ".join(problems))


def _set_status(assessment: Assessment, status: str, **fields) -> dict:
    """Write the status (and fields) with a version bump; returns the audit diff."""
    changes = {"status": status, **fields}
    diff = audit.field_changes(assessment, changes)
    for field, value in changes.items():
        setattr(assessment, field, value)
    assessment.version += 1
    assessment.save(update_fields=[*changes, "version", "updated_at"])
    return diff


def _url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.pk}/"


def _name(assessment: Assessment) -> str:
    return f"“{assessment.title}” (rev. {assessment.revision})"


def contributors(assessment: Assessment):
    """The people told about review outcomes: members with the contributor role, the submitter, and every
    member who wrote content in any revision of this assessment."""
    authored = Q()
    for prefix in CONTENT_ACTION_PREFIXES:
        authored |= Q(action__startswith=prefix)
    authors = AuditEvent.objects.filter(
        authored | Q(action__in=CONTENT_ACTIONS), assessment__lineage=assessment.lineage, actor__isnull=False
    ).values("actor")
    return User.objects.filter(
        Q(memberships__role=Role.CONTRIBUTOR) | Q(pk__in=authors) | Q(pk=assessment.submitted_by_id),
        memberships__project=assessment.project,
        is_active=True,
    ).distinct()


def _record(assessment: Assessment, by: User, via: str, action: str, changes: dict) -> None:
    audit.record(
        actor=by,
        via=via,
        action=action,
        project=assessment.project,
        assessment=assessment,
        obj=assessment,
        object_ref=f"rev {assessment.revision}",
        changes=changes,
    )


# --- Transitions ---------------------------------------------------------------------------------------


@transaction.atomic
def assessment_submit(
    *, assessment_id: int, by: User, expected_version: int | None = None, via: str = Via.WEB
) -> Assessment:
    assessment = lock(Assessment, assessment_id)
    check_version(assessment, expected_version)
    _check(workflow.SUBMIT, assessment, by)
    # The row lock is held: no content write can slip in between building the snapshot and the
    # status change (every content write locks this row first).
    canonical, sha256 = snapshot.build(assessment)
    Snapshot.objects.get_or_create(
        assessment=assessment, sha256=sha256, defaults={"canonical": canonical, "created_by": by}
    )
    diff = _set_status(assessment, Status.IN_REVIEW, submitted_by=by, submitted_at=timezone.now(), content_hash=sha256)
    _record(assessment, by, via, "assessment.submitted", diff)
    notify(
        recipients=project_members_with_role(project=assessment.project, roles=permissions.REVIEWERS),
        exclude=[by],
        project=assessment.project,
        kind="review_requested",
        cause=f"assessment:{assessment.pk}:submitted:{assessment.version}",
        message=f"{by.get_username()} submitted {_name(assessment)} for review.",
        url=_url(assessment),
    )
    return assessment


@transaction.atomic
def assessment_request_changes(
    *, assessment_id: int, by: User, comment: str, expected_version: int | None = None, via: str = Via.WEB
) -> Assessment:
    assessment = lock(Assessment, assessment_id)
    check_version(assessment, expected_version)
    _check(workflow.REQUEST_CHANGES, assessment, by)
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput({"comment": ["Say what needs to change."]})
    diff = _set_status(assessment, Status.CHANGES_REQUESTED)
    diff["comment"] = [None, comment]
    _record(assessment, by, via, "assessment.changes_requested", diff)
    notify(
        recipients=contributors(assessment),
        exclude=[by],
        project=assessment.project,
        kind="changes_requested",
        cause=f"assessment:{assessment.pk}:changes_requested:{assessment.version}",
        message=f"{by.get_username()} requested changes to {_name(assessment)}: {comment}",
        url=_url(assessment),
    )
    return assessment


@transaction.atomic
def assessment_approve(
    *,
    assessment_id: int,
    by: User,
    comment: str = "",
    seen_hash: str | None = None,
    expected_version: int | None = None,
    via: str = Via.WEB,
) -> Assessment:
    """Record one approval of the submitted content; the last required one approves the revision.

    `seen_hash` is the content hash the approver looked at; if the content moved on since, the
    approval is refused rather than attached to content they have not seen.
    """
    # The row lock serialises approvers: two approving at once are counted one after the other, and
    # only the one that completes the quorum moves the status.
    assessment = lock(Assessment, assessment_id)
    check_version(assessment, expected_version)
    _check(workflow.APPROVE, assessment, by)
    live = assessment.content_hash  # the guard has just checked the live content still hashes to this
    if seen_hash is not None and seen_hash != live:
        raise InvalidTransition("The content changed since you looked at it; review the current version.")
    approval = Approval.objects.create(
        assessment=assessment, approver=by, content_hash=live, comment=(comment or "").strip()
    )
    audit.record(
        actor=by,
        via=via,
        action="assessment.approval_given",
        project=assessment.project,
        assessment=assessment,
        obj=approval,
        object_ref=f"rev {assessment.revision}",
        changes={"content_hash": [None, live], "comment": [None, approval.comment]},
    )
    approvers = counting_approvals(assessment, live=live).values("approver").distinct().count()
    if approvers < assessment.project.required_approvals:
        assessment.version += 1
        assessment.save(update_fields=["version", "updated_at"])
        return assessment
    approved_snapshot = Snapshot.objects.get(assessment=assessment, sha256=live)
    diff = _set_status(assessment, Status.APPROVED, approved_at=timezone.now(), approved_snapshot=approved_snapshot)
    diff["approvers"] = [None, approvers]
    _record(assessment, by, via, "assessment.approved", diff)
    _supersede_older(assessment, by, via)
    notify(
        recipients=contributors(assessment),
        exclude=[by],
        project=assessment.project,
        kind="approved",
        cause=f"assessment:{assessment.pk}:approved",
        message=f"{_name(assessment)} is approved.",
        url=_url(assessment),
    )
    return assessment


def _supersede_older(assessment: Assessment, by: User, via: str) -> None:
    older = Assessment.objects.select_for_update().filter(
        lineage=assessment.lineage, revision__lt=assessment.revision, status__in=workflow.SUPERSEDE_SOURCES
    )
    for previous in older:
        diff = _set_status(previous, Status.SUPERSEDED)
        _record(previous, by, via, "assessment.superseded", diff)


@transaction.atomic
def assessment_archive(*, assessment_id: int, by: User, expected_version: int | None = None, via: str = Via.WEB):
    assessment = lock(Assessment, assessment_id)
    check_version(assessment, expected_version)
    _check(workflow.ARCHIVE, assessment, by)
    diff = _set_status(assessment, Status.ARCHIVED)
    _record(assessment, by, via, "assessment.archived", diff)
    return assessment


@transaction.atomic
def assessment_start_revision(
    *, assessment_id: int, by: User, expected_version: int | None = None, via: str = Via.WEB
) -> Assessment:
    """Copy an approved revision into revision n+1, a draft: refs, ratings, consequences, mitigations and
    their links are kept; acceptances carry over while still valid."""
    previous = lock(Assessment, assessment_id)
    check_version(previous, expected_version)
    _check(workflow.START_REVISION, previous, by)
    fields = {
        field: getattr(previous, field)
        for field in (
            "project",
            "lineage",
            "title",
            "matrix",
            "model_name",
            "model_version",
            "deployment_channel",
            "user_population",
            "application_domain",
            "scope",
            "next_review_date",
            "last_hazard_number",
            "last_mitigation_number",
        )
    }
    revision = Assessment.objects.create(
        **fields, revision=previous.revision + 1, previous=previous, status=Status.DRAFT, created_by=by
    )
    counts = copy_content(source=previous, target=revision)
    audit.record(
        actor=by,
        via=via,
        action="assessment.revision_started",
        project=revision.project,
        assessment=revision,
        obj=revision,
        object_ref=f"rev {revision.revision}",
        changes={"revision": [previous.revision, revision.revision], **{k: [None, v] for k, v in counts.items()}},
    )
    return revision
