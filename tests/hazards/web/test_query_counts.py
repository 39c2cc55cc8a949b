"""Queries per page are constant in the number of rows: each page is measured at two data sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hazards import services
from tests.factories import make_assessment
from tests.webtools import HTMX, populate


def _queries(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def measure(project, contributor, client_for):
    """measure(url_name, size, htmx, cached) → queries to render that page of an assessment with `size` scenarios
    (`cached`: a second view, which cached fragments answer from the page cache)."""

    def run(url_name: str, size: int, *, htmx: bool = False, cached: bool = False) -> int:
        assessment = make_assessment(project, contributor, title=f"Sized {size}")
        scenarios = populate(assessment, contributor, scenarios=size, consequences=2, mitigations_per_scenario=2)
        for scenario in scenarios[:3]:
            services.comment_create(assessment_id=assessment.pk, by=contributor, body=f"About {scenario.ref} @bob")
        client = client_for(contributor)
        url = reverse("home") if url_name == "home" else reverse(url_name, args=[assessment.pk])
        client.get(url)  # warm the per-process caches (content types, templates)
        if cached:
            client.get(url, headers=HTMX if htmx else {})
        return _queries(client, url, headers=HTMX if htmx else {})

    return run


@pytest.mark.parametrize(
    ("url_name", "htmx", "budget"),
    [
        ("assessment_detail", False, 20),
        ("register", True, 11),
        ("heatmap", True, 4),
        ("mitigation_board", True, 7),
        ("status_panel", True, 10),
        ("activity", True, 5),
        ("home", False, 8),
    ],
)
def test_queries_per_page_do_not_grow_with_the_number_of_rows(url_name, htmx, budget, measure):
    small = measure(url_name, 2, htmx=htmx)
    large = measure(url_name, 12, htmx=htmx)
    assert small == large, f"{url_name}: {small} queries with 2 scenarios, {large} with 12"
    assert large <= budget


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [
        # Session, user, the assessment with the role, the members and cited runs (one statement), the owners'
        # names.
        ("register", 5),
        ("heatmap", 3),  # session, user, the assessment with the role: the rest is in the page cache
    ],
)
def test_a_cached_fragment_is_served_in_fewer_queries_whatever_the_rows(url_name, budget, measure):
    small = measure(url_name, 2, htmx=True, cached=True)
    large = measure(url_name, 12, htmx=True, cached=True)
    assert small == large <= budget, (small, large)
