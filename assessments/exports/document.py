"""The export document: an assessment as plain data, the one source every export format is written from.

A revision that was approved (and is still, or superseded or archived since) is read from the snapshot that
was signed, so an export shows exactly what the approvers saw; anything else is read from the live register
through the same `snapshot.content` code, so both paths give the same shape (`snapshot.signed_or_live`).
Mitigation progress (status, owner, due date, ticket) is not signed content and is always today's, labelled
as such.
"""

from typing import Any

from django.utils import timezone

from assessments import snapshot
from assessments.exports import attachments, evidence
from assessments.models import Assessment

SCHEMA = "hazlog.export/1"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _tracking(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """Today's progress of every mitigation, by ref (one query, plain values: no model instances)."""
    rows = assessment.mitigations.order_by("number").values_list(
        "ref",
        "status",
        "owner__username",
        "due_date",
        "verification_note",
        "external_system",
        "external_key",
        "external_url",
        "external_synced_at",
    )
    return {
        ref: {
            "status": status,
            "owner": owner,
            "due_date": _iso(due_date),
            "verification_note": note,
            "external": {"system": system, "key": key, "url": url, "synced_at": _iso(synced_at)},
        }
        for ref, status, owner, due_date, note, system, key, url, synced_at in rows
    }


def build(assessment: Assessment) -> dict[str, Any]:
    """The export document of one assessment. A constant number of queries, whatever its size."""
    content, content_hash, signed = snapshot.signed_or_live(assessment)
    source = "snapshot" if signed else "live"
    tracking = _tracking(assessment)
    untracked = {
        "status": None,
        "owner": None,
        "due_date": None,
        "verification_note": "",
        "external": {"system": "", "key": "", "url": "", "synced_at": None},
    }
    cited = evidence.section(content["scenarios"])
    approvals = assessment.approvals.filter(content_hash=content_hash).select_related("approver").order_by("created_at")
    document = {
        "schema": SCHEMA,
        "exported_at": timezone.now().isoformat(),
        "source": source,
        "content_hash": content_hash,
        "project": {"name": assessment.project.name, "required_approvals": assessment.project.required_approvals},
        "assessment": {
            **content["assessment"],
            "status": assessment.status,
            "due_date": _iso(assessment.due_date),
            "next_review_date": _iso(assessment.next_review_date),
            "submitted_by": _user(assessment.submitted_by),
            "submitted_at": _iso(assessment.submitted_at),
            "approved_at": _iso(assessment.approved_at),
        },
        "matrix": content["matrix"],
        "scenarios": content["scenarios"],
        "mitigations": [{**m, **tracking.get(m["ref"], untracked)} for m in content["mitigations"]],
        "approvals": [
            {
                "approver": _user(a.approver),
                "approved_at": _iso(a.created_at),
                "content_hash": a.content_hash,
                "comment": a.comment,
            }
            for a in approvals
        ],
    }
    if cited:  # only when the assessment cites evaluation results: older exports keep their shape
        document["evidence"] = cited
    attached = attachments.section(assessment, content)
    if attached:  # likewise only when there are evidence files or links
        document["attachments"] = attached
    return document
