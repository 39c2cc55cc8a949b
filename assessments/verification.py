"""Checking signed content: is a stored snapshot intact, and does the live content still match what was signed?

Used by the status panel, the API and the exports. Anyone with access to an assessment may run these;
they only read. `sha256sum` over a snapshot's canonical text gives the same hash (see docs/workflow.md).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.apps import apps

from assessments import snapshot


@dataclass(frozen=True)
class SnapshotCheck:
    """A stored snapshot, its recorded hash and the hash of its text recomputed now."""

    snapshot_id: int
    sha256: str
    recomputed: str
    intact: bool  # the stored text still hashes to the recorded SHA-256
    matches_live: bool  # the assessment's content today gives the same hash


@dataclass(frozen=True)
class ApprovalState:
    approval_id: int
    approver: str
    created_at: str
    comment: str
    content_hash: str
    counts: bool  # given to the content as submitted, and that is still the content
    outdated: bool  # given to content that is no longer the assessment's content


@dataclass(frozen=True)
class FileCheck:
    """An evidence file named by the content or a signed snapshot, its bytes hashed again now."""

    sha256: str
    names: list[str]  # "H-001: report.pdf", as attached
    recomputed: str | None  # None when the stored file is missing
    intact: bool  # the stored bytes still hash to the recorded SHA-256


@dataclass(frozen=True)
class Verification:
    assessment_id: int
    revision: int
    status: str
    live_sha256: str
    submitted: SnapshotCheck | None
    approved: SnapshotCheck | None
    approvals: list[ApprovalState] = field(default_factory=list)
    counting_approvals: int = 0
    required_approvals: int = 1
    files: list[FileCheck] = field(default_factory=list)

    @property
    def files_altered(self) -> bool:
        return any(not f.intact for f in self.files)

    @property
    def content_changed_since_submission(self) -> bool:
        return self.submitted is not None and not self.submitted.matches_live

    @property
    def content_changed_since_approval(self) -> bool:
        return self.approved is not None and not self.approved.matches_live

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "content_changed_since_submission": self.content_changed_since_submission,
            "content_changed_since_approval": self.content_changed_since_approval,
            "files_altered": self.files_altered,
        }


def recompute(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def live_hash(assessment) -> str:
    """SHA-256 of the assessment's content as it is now (five queries however large the register)."""
    return snapshot.build(assessment)[1]


def snapshot_verify(stored, *, live: str | None = None) -> SnapshotCheck:
    """Recompute a stored snapshot's hash from its canonical text and compare it with the live content."""
    recomputed = recompute(stored.canonical)
    if live is None:
        live = live_hash(stored.assessment)
    return SnapshotCheck(
        snapshot_id=stored.pk,
        sha256=stored.sha256,
        recomputed=recomputed,
        intact=recomputed == stored.sha256,
        matches_live=stored.sha256 == live,
    )


def approval_states(assessment, *, live: str | None = None) -> list[ApprovalState]:
    """Every approval of the revision, saying whether it counts or is outdated.

    An approval counts while it was given to the submitted content and the content is still that. Once
    the revision is approved, the approvals that signed it stay counted (the approved snapshot is the
    record); later changes (e.g. a revoked acceptance) show as a mismatch with the approved snapshot.
    """
    if live is None:
        live = live_hash(assessment)
    signed = assessment.approved_snapshot.sha256 if assessment.approved_snapshot_id else None
    states = []
    for approval in assessment.approvals.select_related("approver").order_by("created_at", "id"):
        if signed is not None:
            counts = approval.content_hash == signed
        else:
            counts = approval.content_hash == assessment.content_hash == live
        states.append(
            ApprovalState(
                approval_id=approval.pk,
                approver=approval.approver.get_username(),
                created_at=approval.created_at.isoformat(),
                comment=approval.comment,
                content_hash=approval.content_hash,
                counts=counts,
                outdated=approval.content_hash != live,
            )
        )
    return states


def counting_approvers(approvals: list[ApprovalState]) -> int:
    """How many different people gave an approval that counts (one person's repeated approvals count once)."""
    return len({a.approver for a in approvals if a.counts})


def files_verify(assessment, signed: list) -> list[FileCheck]:
    """Hash again the stored bytes of every evidence file of the revision and of its signed snapshots.

    The snapshot records each file's SHA-256, so a file whose bytes were changed in the storage after it was
    attached (tampering, corruption) shows here even though every snapshot's text is intact.
    """
    # Reached by name, like the snapshot: assessments never imports hazards.
    attachment_model = apps.get_model("hazards", "Attachment")
    storage = apps.get_app_config("hazards").attachment_storage()
    names: dict[str, list[str]] = {}
    rows = attachment_model.objects.filter(assessment=assessment, kind="file").values_list(
        "sha256", "name", "scenario__ref", "mitigation__ref"
    )
    for sha256, name, scenario_ref, mitigation_ref in rows:
        names.setdefault(sha256, []).append(f"{scenario_ref or mitigation_ref}: {name}")
    for stored in signed:
        for sha256 in snapshot.attachment_hashes(json.loads(stored.canonical)):
            names.setdefault(sha256, ["named by a signed snapshot"])
    checks = []
    for sha256 in sorted(names):
        recomputed = storage.recompute(sha256)
        checks.append(
            FileCheck(sha256=sha256, names=sorted(names[sha256]), recomputed=recomputed, intact=recomputed == sha256)
        )
    return checks


def assessment_verify(assessment) -> Verification:
    """Recompute every hash that matters for one revision: live content, submitted and approved snapshots."""
    live = live_hash(assessment)
    submitted = None
    signed = [assessment.approved_snapshot] if assessment.approved_snapshot_id else []
    if assessment.content_hash:
        stored = assessment.snapshots.filter(sha256=assessment.content_hash).first()
        if stored is not None:
            submitted = snapshot_verify(stored, live=live)
            signed.append(stored)
    approved = snapshot_verify(assessment.approved_snapshot, live=live) if assessment.approved_snapshot_id else None
    approvals = approval_states(assessment, live=live)
    return Verification(
        assessment_id=assessment.pk,
        revision=assessment.revision,
        status=assessment.status,
        live_sha256=live,
        submitted=submitted,
        approved=approved,
        approvals=approvals,
        counting_approvals=counting_approvers(approvals),
        required_approvals=assessment.project.required_approvals,
        files=files_verify(assessment, signed),
    )
