"""The demo data command: a populated first look, once, and never in production by accident."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from assessments import diff, verification
from assessments.models import Assessment, Membership, Project, Status
from hazards.attachments import storage
from hazards.models import RiskAcceptance


def test_demo_creates_a_populated_project_with_one_user_per_role(catalogue, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    project = Project.objects.get(name="Coding assistant rollout")
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {
        "olivia": "owner",
        "alice": "contributor",
        "bob": "reviewer",
        "carol": "approver",
        "dave": "approver",
        "victor": "viewer",
    }
    assessment = Assessment.objects.get(project=project, title="IDE assistant — first rollout wave")
    assert assessment.scenarios.count() >= 12
    assert all(s.consequences.exists() and s.mitigations.exists() for s in assessment.scenarios.all())
    assert not assessment.scenarios.filter(residual_level="").exists()
    assert authenticate(username="carol", password="hazlog-demo") is not None


def test_demo_shows_sign_off_material_an_accepted_risk_and_a_revision_with_changes(catalogue, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    wave = Assessment.objects.get(title="IDE assistant — first rollout wave")
    political = wave.scenarios.get(category="political_societal")
    acceptance = RiskAcceptance.objects.get(scenario=political)
    assert (acceptance.accepted_by.username, acceptance.revoked_at) == ("carol", None)

    rev1, rev2 = Assessment.objects.filter(title="Code-review bot — pilot").order_by("revision")
    assert (rev1.status, rev2.status, rev2.previous_id) == (Status.APPROVED, Status.DRAFT, rev1.pk)
    assert sorted(rev1.approvals.values_list("approver__username", flat=True)) == ["carol", "dave"]
    check = verification.assessment_verify(rev1)
    assert check.approved.intact and check.approved.matches_live
    assert check.counting_approvals == 2
    summary = diff.diff_assessments(rev1, rev2)["summary"]
    assert summary["context_changed"] == 2
    assert summary["scenarios_added"] == 1
    assert summary["residual_up"] == 1
    assert summary["consequences_added"] == 1
    assert summary["mitigations_changed"] >= 1


def test_demo_runs_once(catalogue, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Project.objects.filter(name="Coding assistant rollout").count() == 1
    assert "already present" in capsys.readouterr().out


def test_demo_refuses_to_run_with_debug_off_unless_forced(catalogue, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Project.objects.exists()
    call_command("seed_demo", force=True)
    assert Project.objects.exists()


def test_demo_keeps_evidence_a_file_and_a_link(catalogue, settings, attachment_root):
    settings.DEBUG = True
    call_command("seed_demo")
    wave = Assessment.objects.get(title="IDE assistant — first rollout wave")
    scenario = wave.scenarios.get(source_template__key="SEC-02")
    report, link = scenario.attachments.order_by("kind")
    assert (report.kind, report.name, report.file_type) == ("file", "sast-summary-demo.md", "markdown")
    assert storage.recompute(report.sha256) == report.sha256  # the bytes are stored
    assert link.kind == "link" and link.url.startswith("https://example.com/")
