"""The diff page between two revisions, in HTML and as the same data in JSON."""

import json

import pytest
from django.urls import reverse

from assessments import diff
from assessments.models import Assessment
from assessments.services import workflow
from hazards import services
from tests.factories import make_assessment, make_hazard


@pytest.fixture
def revisions(assessment, contributor, approver):
    """Revision 1 approved; revision 2 with H-001 re-rated and a new scenario H-002."""
    make_hazard(
        assessment, contributor, title="Plausible but incorrect code", residual_likelihood=1, residual_severity=1
    )
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver, seen_hash=assessment.content_hash)
    second = workflow.assessment_start_revision(assessment_id=assessment.pk, by=contributor)
    scenario = second.scenarios.get(ref="H-001")
    services.hazard_update(
        hazard_id=scenario.pk,
        by=contributor,
        expected_version=scenario.version,
        residual_likelihood=5,
        residual_severity=5,
    )
    make_hazard(second, contributor, title="Secrets in prompts")
    return Assessment.objects.get(pk=assessment.pk), second


def test_the_page_shows_added_scenarios_and_rating_changes_with_their_level(revisions, viewer, client_for):
    _first, second = revisions
    response = client_for(viewer).get(reverse("assessment_diff", args=[second.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "revision 1 → 2" in html
    assert "approved snapshot" in html and "current content" in html
    assert "Secrets in prompts" in html.split('id="diff-scenarios"', 1)[1]
    change = html.split('id="diff-H-001"', 1)[1].split("</article>", 1)[0]
    assert "Residual:" in change and "Low" in change and "High" in change and "risk up" in change


def test_the_json_is_the_diff_of_the_two_revisions(revisions, viewer, client_for):
    first, second = revisions
    response = client_for(viewer).get(
        reverse("assessment_diff", args=[second.pk]), {"against": first.pk, "format": "json"}
    )
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data == json.loads(json.dumps(diff.diff_assessments(first, second)))
    assert data["summary"]["scenarios_added"] == 1 and data["summary"]["residual_up"] == 1


def test_the_older_revision_is_always_the_from_side(revisions, viewer, client_for):
    first, second = revisions
    data = (
        client_for(viewer)
        .get(reverse("assessment_diff", args=[first.pk]), {"against": second.pk, "format": "json"})
        .json()
    )
    assert (data["from"]["revision"], data["to"]["revision"]) == (1, 2)


def test_comparing_with_something_that_is_not_a_revision_of_it_is_404(
    revisions, project, contributor, viewer, client_for
):
    _first, second = revisions
    unrelated = make_assessment(project, contributor, title="Another assessment")
    client = client_for(viewer)
    assert client.get(reverse("assessment_diff", args=[second.pk]), {"against": unrelated.pk}).status_code == 404
    assert client.get(reverse("assessment_diff", args=[second.pk]), {"against": "x"}).status_code == 404


def test_a_single_revision_has_nothing_to_compare(assessment, viewer, client_for):
    html = client_for(viewer).get(reverse("assessment_diff", args=[assessment.pk])).content.decode()
    assert "only one revision" in html


def test_the_status_panel_links_each_revision_to_the_diff(revisions, contributor, client_for):
    first, second = revisions
    html = client_for(contributor).get(reverse("assessment_detail", args=[second.pk])).content.decode()
    assert f'href="/assessments/{second.pk}/diff/?against={first.pk}">what changed</a>' in html
