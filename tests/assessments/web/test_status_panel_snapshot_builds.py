"""The status panel builds the live snapshot once per refresh, however many parts of it need the live hash."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Project
from assessments.services import workflow
from tests.factories import make_hazard
from tests.webtools import HTMX


def _snapshot_builds(client, assessment) -> tuple[int, str]:
    """(snapshot builds, panel html): each build reads the consequences once, and nothing else on the panel does."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("status_panel", args=[assessment.pk]), headers=HTMX)
    assert response.status_code == 200
    builds = sum('FROM "hazards_consequence"' in query["sql"] for query in ctx.captured_queries)
    return builds, response.content.decode()


def test_an_approver_refreshing_the_panel_of_a_revision_with_approvals_costs_one_snapshot_build(
    assessment, contributor, approver, approver2, client_for
):
    Project.objects.filter(pk=assessment.project_id).update(required_approvals=2)
    make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)

    builds, html = _snapshot_builds(client_for(approver2), assessment)

    assert builds == 1
    assert "1 of 2 approvals on the submitted content." in html
    assert 'class="pill counts"' in html
    assert 'aria-describedby="reason-approve"' not in html  # approving is open to the second approver


def test_a_draft_without_approvals_builds_no_snapshot_for_its_panel(assessment, contributor, client_for):
    make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)
    builds, html = _snapshot_builds(client_for(contributor), assessment)
    assert builds == 0
    assert "Submit for review" in html
