"""A portfolio of two projects on different matrices, plus an outsider's: shared by the page and API tests."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Role
from hazards import scoring
from hazards.models import Mitigation, RiskAcceptance
from hazards.services import mitigation_create
from tests.factories import ProjectFactory, add_member, make_assessment, make_hazard


@pytest.fixture
def two_projects(project, owner, contributor, approver, other_project, outsider):
    """The owner's project (5 × 5) and a second one on MIL-STD-882E (4 severities), plus an outsider's."""
    second = ProjectFactory(name="Agent pilot", matrix=scoring.preset("mil_std_882e"))
    add_member(second, owner, Role.OWNER)
    add_member(second, contributor, Role.CONTRIBUTOR)
    first = make_assessment(
        project, contributor, title="IDE rollout", due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    pilot = make_assessment(second, contributor, title="Agent pilot review")
    hidden = make_assessment(other_project, outsider, title="Secret assessment")
    make_hazard(hidden, outsider, title="Outsider's risk", residual_likelihood=5, residual_severity=5)
    worst = make_hazard(first, contributor, title="Insecure code", residual_likelihood=5, residual_severity=5)
    make_hazard(first, contributor, title="Over-reliance", category="over_reliance", owner=contributor)
    # MIL-STD severity 4 ("1 Catastrophic") is the top of its axis: the common map's 5.
    make_hazard(pilot, contributor, title="Agent deletes data", residual_likelihood=5, residual_severity=4)
    late = mitigation_create(
        assessment_id=first.pk,
        by=contributor,
        title="Static analysis gate",
        kind="technical_control",
        hazard_ids=[worst.pk],
        owner=contributor,
    )
    Mitigation.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    RiskAcceptance.objects.create(
        scenario=worst,
        accepted_by=approver,
        rationale="Pilot only",
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    RiskAcceptance.objects.create(
        scenario=worst,
        accepted_by=approver,
        rationale="Later",
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    return {"first": first, "pilot": pilot, "hidden": hidden, "worst": worst, "second": second}
