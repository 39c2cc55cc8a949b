"""The demo data command: a populated first look, once, and never in production by accident."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from assessments.models import Assessment, Membership, Project


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
    assessment = Assessment.objects.get(project=project)
    assert assessment.scenarios.count() >= 12
    assert all(s.consequences.exists() and s.mitigations.exists() for s in assessment.scenarios.all())
    assert not assessment.scenarios.filter(residual_level="").exists()
    assert authenticate(username="carol", password="hazlog-demo") is not None


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
