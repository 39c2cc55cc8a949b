"""manage.py verify_snapshot: what an auditor runs, and what sha256sum says about the signed text."""

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Snapshot
from assessments.services import workflow
from tests.assessments.workflow_states import make_ready


@pytest.fixture
def approved(assessment, contributor, approver):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    return workflow.assessment_approve(assessment_id=assessment.pk, by=approver)


def test_sha256sum_of_the_written_text_is_the_approved_hash(approved, tmp_path):
    out = io.StringIO()
    target = tmp_path / "signed.json"
    call_command("verify_snapshot", str(approved.pk), "--canonical-out", str(target), stdout=out)
    printed = subprocess.run(["sha256sum", str(target)], capture_output=True, text=True, check=True).stdout
    assert printed.split()[0] == approved.approved_snapshot.sha256
    report = out.getvalue()
    assert f"approved          {approved.content_hash}  intact, matches the live content" in report
    assert "approvals         1 of 1 counting" in report
    assert "carol at" in report and "(counts)" in report


def test_an_altered_snapshot_is_reported_and_fails_the_command(approved):
    Snapshot.objects.filter(pk=approved.approved_snapshot_id).update(canonical="{}")
    out = io.StringIO()
    with pytest.raises(CommandError, match="no longer matches its recorded hash"):
        call_command("verify_snapshot", str(approved.pk), stdout=out)
    assert (
        "ALTERED (its text hashes to 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a)"
        in out.getvalue()
    )


def test_a_draft_has_no_signed_text_yet(assessment, tmp_path):
    with pytest.raises(CommandError, match="never been submitted"):
        call_command(
            "verify_snapshot", str(assessment.pk), "--canonical-out", str(tmp_path / "x"), stdout=io.StringIO()
        )
