"""An approved revision exports what was signed and who signed it, whatever became of the revision since."""

import json
from pathlib import Path

from assessments import diff, snapshot
from assessments.exports import document
from assessments.models import Assessment, ExportJob
from assessments.services import workflow
from hazards import services
from hazards.models import RiskAcceptance
from tests.jobs.test_export_formats import export, pdf_text


def _revoke_and_archive(approved, owner) -> Assessment:
    """Revoke the signed acceptance (the live content now differs from the snapshot), then archive."""
    acceptance = RiskAcceptance.objects.get(scenario__assessment=approved)
    services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="Exposure grew")
    workflow.assessment_archive(assessment_id=approved.pk, by=owner)
    archived = Assessment.objects.select_related("approved_snapshot").get(pk=approved.pk)
    assert archived.status == "archived"
    assert snapshot.build(archived)[1] != archived.approved_snapshot.sha256
    return archived


def test_an_approved_revision_archived_after_a_revoked_acceptance_exports_the_signed_content_and_approvals(
    approved, owner
):
    archived = _revoke_and_archive(approved, owner)

    data = document.build(archived)

    assert data["source"] == "snapshot"
    assert data["content_hash"] == archived.approved_snapshot.sha256
    assert data["assessment"]["status"] == "archived"
    signed_acceptances = [a["rationale"] for s in data["scenarios"] for a in s["acceptances"]]
    assert signed_acceptances == ["Residual risk is tolerable with the gate in place."]
    assert [(a["approver"], a["comment"]) for a in data["approvals"]] == [("carol", "Looks complete.")]


def test_the_pdf_of_such_a_revision_has_its_sign_off_page_filled(approved, owner, contributor, celery_eager):
    archived = _revoke_and_archive(approved, owner)
    text = pdf_text(export(archived, contributor, "pdf"))
    assert "Looks complete." in text and "carol" in text
    assert archived.approved_snapshot.sha256 in text.replace(" ", "")


def test_exports_and_diffs_read_the_same_side_of_a_revision(approved, owner, contributor, celery_eager):
    archived = _revoke_and_archive(approved, owner)
    job = export(archived, contributor, "json")
    exported = json.loads(Path(job.file.path).read_text())
    assert job.status == ExportJob.State.DONE
    compared = diff.diff_assessments(archived, archived)
    assert compared["to"]["source"] == "approved_snapshot"
    assert compared["to"]["sha256"] == exported["content_hash"]
