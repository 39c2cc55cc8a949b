"""The hazard register: full page vs fragment, filters, sort, pagination, inline add and edit, conflicts."""

import re

from django.urls import reverse

from assessments.models import AuditEvent, Status
from hazards import services
from hazards.models import HazardScenario
from tests.factories import make_hazard
from tests.webtools import HTMX, populate


def register_of(page: str) -> str:
    """The register section of a whole page."""
    return page.split('<section id="register"', 1)[1].split("</section>", 1)[0]


def _refs(html: str) -> list[str]:
    return re.findall(r'<td class="ref"><a href="/hazards/\d+/">(H-\d+)</a>', html)


def test_the_register_url_without_htmx_shows_the_assessment_page_with_the_same_filters(
    assessment, contributor, client_for
):
    response = client_for(contributor).get(reverse("register", args=[assessment.pk]), {"q": "crypto"})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/?q=crypto#register"


def test_the_register_fragment_is_only_the_register_and_varies_on_htmx(assessment, contributor, client_for):
    make_hazard(assessment, contributor, title="Weak crypto")
    response = client_for(contributor).get(reverse("register", args=[assessment.pk]), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="register"')
    assert "<html" not in html
    assert "Weak crypto" in html
    assert "HX-Request" in response["Vary"]


def test_the_assessment_page_shows_the_register_filtered_by_the_query_string(assessment, contributor, client_for):
    make_hazard(assessment, contributor, title="Weak crypto", category="security")
    make_hazard(assessment, contributor, title="Wrong answer", category="application_safety")
    page = client_for(contributor).get(reverse("assessment_detail", args=[assessment.pk]), {"category": "security"})
    html = register_of(page.content.decode())
    assert "Weak crypto" in html
    assert "Wrong answer" not in html
    assert "matching the filters" in html


def test_filters_by_risk_level_treatment_owner_and_text(assessment, contributor, reviewer, client_for):
    make_hazard(assessment, contributor, title="High one", residual_likelihood=5, residual_severity=5, owner=reviewer)
    make_hazard(
        assessment, contributor, title="Low one", residual_likelihood=1, residual_severity=1, treatment="accept"
    )
    client = client_for(contributor)
    url = reverse("register", args=[assessment.pk])

    def titles(**params):
        html = client.get(url, params, headers=HTMX).content.decode()
        return {t for t in ("High one", "Low one") if t in html}

    assert titles(level="high") == {"High one"}
    assert titles(level="low") == {"Low one"}
    assert titles(treatment="accept") == {"Low one"}
    assert titles(owner=reviewer.pk) == {"High one"}
    assert titles(q="low") == {"Low one"}
    assert titles(q="H-001") == {"High one"}
    # A bad value is ignored rather than breaking a bookmark.
    assert titles(level="nonsense", owner="abc") == {"High one", "Low one"}


def test_a_heat_map_cell_filters_the_register_by_stage_and_rating(assessment, contributor, client_for):
    make_hazard(assessment, contributor, title="Cell hit", inherent_likelihood=4, inherent_severity=3)
    make_hazard(assessment, contributor, title="Elsewhere", inherent_likelihood=1, inherent_severity=1)
    html = (
        client_for(contributor)
        .get(
            reverse("register", args=[assessment.pk]),
            {"stage": "inherent", "likelihood": 4, "severity": 3},
            headers=HTMX,
        )
        .content.decode()
    )
    assert "Cell hit" in html
    assert "Elsewhere" not in html
    assert "inherent likelihood 4 × severity 3" in html


def test_every_column_sorts_both_ways(assessment, contributor, reviewer, approver, approver2, client_for):
    # Four rows that differ in every sortable column, each column ordering them differently (and none in ref
    # order or its reverse), so a sort that is ignored or applied to the wrong field shows.
    owners = {"alice": contributor, "bob": reviewer, "carol": approver, "dave": approver2}
    rows = [
        # title, category, inherent (l, s), residual (l, s), treatment, owner
        ("Bravo", "privacy_data", (1, 1), (4, 3), "mitigate", "carol"),  # H-001: low in, serious res
        ("Delta", "alignment", (1, 3), (1, 1), "avoid", "dave"),  # H-002: medium/3 in, low res
        ("Alpha", "security", (5, 5), (2, 3), "transfer", "alice"),  # H-003: high in, medium/3 res
        ("Charlie", "economic", (3, 2), (4, 1), "accept", "bob"),  # H-004: medium/2 in, medium/1 res
    ]
    scenarios = [
        make_hazard(
            assessment,
            contributor,
            title=title,
            category=category,
            inherent_likelihood=inherent[0],
            inherent_severity=inherent[1],
            residual_likelihood=residual[0],
            residual_severity=residual[1],
            treatment=treatment,
            owner=owners[owner],
        )
        for title, category, inherent, residual, treatment, owner in rows
    ]
    h1, h2, h3, h4 = (s.pk for s in scenarios)
    # Done mitigations: H-002 none (only a proposed one), H-001 one, H-004 two, H-003 three.
    for status, linked in (
        ("proposed", [h1, h2, h3, h4]),
        ("implemented", [h1, h3, h4]),
        ("verified", [h3, h4]),
        ("implemented", [h3]),
    ):
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=contributor,
            title=f"{status} for {len(linked)}",
            kind="process_control",
            status=status,
            hazard_ids=linked,
        )
    expected = {
        "ref": ["H-001", "H-002", "H-003", "H-004"],
        "title": ["H-003", "H-001", "H-004", "H-002"],
        "category": ["H-002", "H-004", "H-001", "H-003"],
        "inherent": ["H-001", "H-004", "H-002", "H-003"],
        "residual": ["H-002", "H-004", "H-003", "H-001"],
        "treatment": ["H-004", "H-002", "H-001", "H-003"],
        "owner": ["H-003", "H-004", "H-001", "H-002"],
        "progress": ["H-002", "H-001", "H-004", "H-003"],
    }
    client = client_for(contributor)
    url = reverse("register", args=[assessment.pk])
    for column, ascending_refs in expected.items():
        ascending = _refs(client.get(url, {"sort": column}, headers=HTMX).content.decode())
        descending = _refs(client.get(url, {"sort": column, "dir": "desc"}, headers=HTMX).content.decode())
        assert sorted(ascending) == ["H-001", "H-002", "H-003", "H-004"]
        assert sorted(descending) == ["H-001", "H-002", "H-003", "H-004"]
        assert ascending == ascending_refs, column
        assert descending == list(reversed(ascending_refs)), column
    html = client.get(url, {"sort": "title"}, headers=HTMX).content.decode()
    assert 'aria-sort="ascending"' in html


def test_the_register_is_paginated_fifty_rows_at_a_time(assessment, contributor, client_for):
    HazardScenario.objects.bulk_create(
        HazardScenario(assessment=assessment, number=n, ref=f"H-{n:03d}", title=f"Bulk {n}") for n in range(1, 121)
    )
    client = client_for(contributor)
    url = reverse("register", args=[assessment.pk])
    first = client.get(url, headers=HTMX).content.decode()
    third = client.get(url, {"page": 3}, headers=HTMX).content.decode()
    assert len(_refs(first)) == 50
    assert _refs(third) == [f"H-{n:03d}" for n in range(101, 121)]
    assert "Showing 101–120 of 120 scenarios" in third
    assert "page=2" in third


def test_inline_add_creates_the_scenario_and_returns_the_register_with_a_refresh_event(
    assessment, contributor, client_for
):
    response = client_for(contributor).post(
        reverse("hazard_add", args=[assessment.pk]),
        {
            "title": "Secrets in prompts",
            "category": "privacy_data",
            "treatment": "mitigate",
            "inherent_likelihood": 4,
            "inherent_severity": 4,
        },
        headers=HTMX,
    )
    scenario = HazardScenario.objects.get(assessment=assessment)
    assert response.status_code == 200
    assert response["HX-Trigger-After-Swap"] == "hazards-saved"
    assert (scenario.ref, scenario.inherent_level) == ("H-001", "high")
    assert 'Added <span class="ref">H-001</span>' in response.content.decode()
    assert AuditEvent.objects.filter(action="hazard.created", object_id=scenario.pk, actor=contributor).exists()


def test_inline_add_with_bad_input_shows_errors_next_to_the_fields_and_saves_nothing(
    assessment, contributor, client_for
):
    response = client_for(contributor).post(
        reverse("hazard_add", args=[assessment.pk]), {"title": "", "inherent_likelihood": 9}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="add_title_error"' in html
    assert 'id="add_inherent_likelihood_error"' in html
    assert 'aria-invalid="true"' in html
    assert not HazardScenario.objects.exists()


def test_add_without_javascript_redirects_on_success_and_shows_a_form_page_on_errors(
    assessment, contributor, client_for
):
    client = client_for(contributor)
    url = reverse("hazard_add", args=[assessment.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": ""})
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    good = client.post(url, {"title": "Plain add", "category": "other", "treatment": "mitigate"})
    assert good.status_code == 302
    assert good["Location"].endswith("#register")


def test_inline_edit_shows_a_form_row_and_saving_returns_the_updated_row(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor, title="Before")
    client = client_for(contributor)
    form = client.get(reverse("hazard_row_edit", args=[scenario.pk]), headers=HTMX).content.decode()
    assert 'class="editing"' in form
    assert f'name="version" value="{scenario.version}"' in form
    response = client.post(
        reverse("hazard_row_edit", args=[scenario.pk]),
        {
            "title": "After",
            "category": "security",
            "inherent_likelihood": 5,
            "inherent_severity": 5,
            "residual_likelihood": 1,
            "residual_severity": 1,
            "treatment": "mitigate",
            "owner": "",
            "version": scenario.version,
        },
        headers=HTMX,
    )
    scenario.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger-After-Swap"] == "hazards-saved"
    assert (scenario.title, scenario.inherent_level, scenario.residual_level) == ("After", "high", "low")
    assert html.lstrip().startswith(f'<tr id="row-{scenario.pk}" class="highlight">')
    assert "High" in html and "Low" in html


def test_the_row_cancel_returns_the_display_row(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor, title="Unchanged")
    html = client_for(contributor).get(reverse("hazard_row", args=[scenario.pk]), headers=HTMX).content.decode()
    assert html.lstrip().startswith(f'<tr id="row-{scenario.pk}"')
    assert "Unchanged" in html


def _row_post(scenario, **changes):
    data = {
        "title": scenario.title,
        "category": scenario.category,
        "inherent_likelihood": scenario.inherent_likelihood,
        "inherent_severity": scenario.inherent_severity,
        "residual_likelihood": scenario.residual_likelihood,
        "residual_severity": scenario.residual_severity,
        "treatment": scenario.treatment,
        "owner": "",
        "version": scenario.version,
    }
    data.update(changes)
    return data


def test_a_stale_inline_edit_is_refused_with_who_changed_what_and_the_users_unsaved_values(
    assessment, contributor, reviewer, client_for
):
    scenario = make_hazard(assessment, contributor, title="Original title")
    seen = _row_post(scenario)
    services.hazard_update(hazard_id=scenario.pk, by=reviewer, expected_version=scenario.version, title="Bob's title")

    response = client_for(contributor).post(
        reverse("hazard_row_edit", args=[scenario.pk]), {**seen, "title": "Alice's title"}, headers=HTMX
    )
    html = response.content.decode()
    scenario.refresh_from_db()
    assert response.status_code == 200
    assert scenario.title == "Bob's title"  # never a silent overwrite
    assert "Not saved" in html
    assert "<strong>bob</strong> saved a change" in html
    assert "Bob&#x27;s title" in html and "Alice&#x27;s title" in html
    # The form now carries the current version and still holds the user's values.
    assert f'name="version" value="{scenario.version}"' in html
    assert 'value="Alice&#x27;s title"' in html
    assert "Save my values" in html


def test_re_applying_after_a_conflict_saves_the_users_values_on_top_of_the_current_version(
    assessment, contributor, reviewer, client_for
):
    scenario = make_hazard(assessment, contributor, title="Original title")
    services.hazard_update(hazard_id=scenario.pk, by=reviewer, expected_version=scenario.version, residual_likelihood=1)
    scenario.refresh_from_db()
    client_for(contributor).post(
        reverse("hazard_row_edit", args=[scenario.pk]), _row_post(scenario, title="Alice's title"), headers=HTMX
    )
    scenario.refresh_from_db()
    assert (scenario.title, scenario.residual_likelihood) == ("Alice's title", 1)


def test_a_stale_edit_without_javascript_shows_the_conflict_page(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor)
    seen = _row_post(scenario, title="Mine")
    services.hazard_update(hazard_id=scenario.pk, by=reviewer, expected_version=scenario.version, title="Theirs")
    response = client_for(contributor).post(reverse("hazard_row_edit", args=[scenario.pk]), seen)
    assert response.status_code == 409
    assert "Not saved" in response.content.decode()


def test_a_viewer_sees_the_register_without_edit_controls(assessment, contributor, viewer, client_for):
    populate(assessment, contributor, scenarios=1, mitigations_per_scenario=1)
    client = client_for(viewer)
    html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "H-001" in html
    assert "Add a scenario" not in html
    assert "hazard_row_edit" not in html and "/row/edit/" not in html
    assert "Add from the catalogue" not in html
    assert "Submit for review" not in html
    # The board loads itself after the page; its cards have no inline status change for a viewer.
    board = client.get(reverse("mitigation_board", args=[assessment.pk]), headers=HTMX).content.decode()
    assert "M-001" in board
    assert 'name="status"' not in board


def test_editing_frozen_content_is_refused_with_a_clear_message(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.IN_REVIEW)
    response = client_for(contributor).post(
        reverse("hazard_row_edit", args=[scenario.pk]), _row_post(scenario, title="Late change"), headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#messages"
    assert "can only change in draft" in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.title != "Late change"


def test_a_frozen_assessment_shows_no_register_edit_controls_to_contributors(assessment, contributor, client_for):
    populate(assessment, contributor, scenarios=1)
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    client = client_for(contributor)
    html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "/row/edit/" not in html
    assert "Add a scenario" not in html
    # Progress tracking stays possible after approval, on the board the page loads after itself.
    board = client.get(reverse("mitigation_board", args=[assessment.pk]), headers=HTMX).content.decode()
    assert 'name="status"' in board


def test_the_pages_poller_starts_from_the_newest_event_and_hears_of_the_next(assessment, contributor, client_for):
    make_hazard(assessment, contributor)
    client = client_for(contributor)
    newest = AuditEvent.objects.filter(assessment=assessment).order_by("-id").first().pk
    html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    changes = reverse("assessment_changes", args=[assessment.pk])
    assert f'hx-get="{changes}?since={newest}"' in html
    assert client.get(changes, {"since": newest}, headers=HTMX).status_code == 204
    make_hazard(assessment, contributor, title="Another one")
    response = client.get(changes, {"since": newest}, headers=HTMX)
    assert response.status_code == 200
    assert "hazards-changed" in response["HX-Trigger"]
