"""The risk heat map: counts per cell of the assessment's own matrix, inherent and residual, cells that filter."""

import re

from django.urls import reverse

from hazards import scoring
from hazards.views.heatmap import grids
from tests.factories import make_hazard
from tests.webtools import HTMX


def _cells(html: str) -> dict[tuple[str, int, int], int]:
    found = {}
    for stage, likelihood, severity, count in re.findall(
        r'href="/assessments/\d+/\?stage=(\w+)&amp;likelihood=(\d+)&amp;severity=(\d+)#register".*?data-count="(\d+)"',
        html,
        flags=re.S,
    ):
        found[(stage, int(likelihood), int(severity))] = int(count)
    return found


def test_each_cell_counts_the_scenarios_rated_there_inherent_and_residual(assessment, contributor, client_for):
    make_hazard(
        assessment, contributor, inherent_likelihood=4, inherent_severity=3, residual_likelihood=2, residual_severity=3
    )
    make_hazard(
        assessment, contributor, inherent_likelihood=4, inherent_severity=3, residual_likelihood=1, residual_severity=1
    )
    make_hazard(
        assessment,
        contributor,
        title="Unrated",
        inherent_likelihood=None,
        inherent_severity=None,
        residual_likelihood=None,
        residual_severity=None,
    )
    response = client_for(contributor).get(reverse("heatmap", args=[assessment.pk]), headers=HTMX)
    cells = _cells(response.content.decode())
    assert len(cells) == 2 * 25
    assert cells[("inherent", 4, 3)] == 2
    assert cells[("residual", 2, 3)] == 1
    assert cells[("residual", 1, 1)] == 1
    assert sum(cells.values()) == 4  # the unrated scenario is in neither map
    assert "(2 rated)" in response.content.decode()


def test_cells_filter_the_register_in_place_and_keep_a_real_link(assessment, contributor, client_for):
    make_hazard(assessment, contributor)
    html = client_for(contributor).get(reverse("heatmap", args=[assessment.pk]), headers=HTMX).content.decode()
    assert f'hx-get="/assessments/{assessment.pk}/register/?stage=inherent&amp;likelihood=4&amp;severity=3"' in html
    assert 'hx-target="#register"' in html
    assert "hazards-changed from:body" in html  # refreshes when a rating changes


def test_the_grid_follows_the_assessments_own_matrix():
    matrix = scoring.preset("iec_61508")
    inherent, residual = grids(matrix, {"inherent": {(6, 4): 3}, "residual": {}})
    assert [severity["value"] for severity, _ in inherent.rows] == [4, 3, 2, 1]  # highest severity first
    assert len(inherent.rows[0][1]) == 6
    top_right = inherent.rows[0][1][-1]
    assert (top_right.likelihood, top_right.severity, top_right.count, top_right.level.key) == (6, 4, 3, "class_i")
    assert residual.total == 0


def test_cell_colours_come_from_the_matrix_as_svg_fills_not_inline_styles(assessment, contributor, client_for):
    html = client_for(contributor).get(reverse("heatmap", args=[assessment.pk]), headers=HTMX).content.decode()
    assert 'fill="#b3261e"' in html
    assert "style=" not in html


def test_the_heat_map_url_without_htmx_goes_to_the_assessment_page(assessment, contributor, client_for):
    response = client_for(contributor).get(reverse("heatmap", args=[assessment.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/#heatmap"
