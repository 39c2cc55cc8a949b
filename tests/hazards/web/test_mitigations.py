"""Mitigations in the browser: the board grouped by status, inline status change, the list, one mitigation's page."""

import re

from django.urls import reverse

from assessments.models import AuditEvent, Status
from hazards import services
from hazards.models import Mitigation, MitigationKind, MitigationStatus
from tests.factories import make_hazard
from tests.webtools import HTMX


def _mitigation(assessment, by, **fields):
    scenario = make_hazard(assessment, by)
    return services.mitigation_create(
        assessment_id=assessment.pk,
        by=by,
        title=fields.pop("title", "Sandbox the agent"),
        kind=MitigationKind.TECHNICAL_CONTROL,
        hazard_ids=[scenario.pk],
        **fields,
    )


def test_the_board_groups_mitigations_by_status_with_owner_scenarios_and_ticket(assessment, contributor, client_for):
    _mitigation(
        assessment,
        contributor,
        status="in_progress",
        owner=contributor,
        external_system="jira",
        external_key="SEC-7",
        external_url="https://jira.example.com/browse/SEC-7",
    )
    html = client_for(contributor).get(reverse("mitigation_board", args=[assessment.pk]), headers=HTMX).content.decode()
    in_progress = html.split('id="col-in_progress"', 1)[1].split('class="board-column"', 1)[0]
    assert "Sandbox the agent" in in_progress
    assert "alice" in in_progress and "H-001" in in_progress
    assert 'href="https://jira.example.com/browse/SEC-7"' in in_progress


def test_the_assessment_page_loads_the_board_after_itself_and_links_to_every_mitigation_without_javascript(
    assessment, contributor, client_for
):
    _mitigation(assessment, contributor, title="Sandbox the agent")
    html = client_for(contributor).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    board = html.split('id="mitigations"', 1)[1].split("</section>", 1)[0]
    assert f'hx-get="/assessments/{assessment.pk}/mitigations/board/" hx-trigger="load"' in board
    assert f'href="/assessments/{assessment.pk}/mitigations/"' in board
    assert 'class="board-card"' not in html  # the cards come with the board, not with the page


def test_the_status_options_of_each_card_select_its_own_status(assessment, contributor, client_for):
    _mitigation(assessment, contributor, title="Planned one", status="planned")
    _mitigation(assessment, contributor, title="Verified one", status="verified")
    html = client_for(contributor).get(reverse("mitigation_board", args=[assessment.pk]), headers=HTMX).content.decode()
    selected = re.findall(r'<select id="status-(\d+)" name="status">(.*?)</select>', html)
    assert len(selected) == 2
    chosen = sorted(re.findall(r'<option value="(\w+)" selected>', options)[0] for _, options in selected)
    assert chosen == ["planned", "verified"]
    assert all(options.count("<option") == len(MitigationStatus.choices) for _, options in selected)


def test_the_board_shows_a_bounded_number_per_status_and_links_to_the_rest(assessment, contributor, client_for):
    for n in range(11):
        _mitigation(assessment, contributor, title=f"Control {n}")
    html = client_for(contributor).get(reverse("mitigation_board", args=[assessment.pk]), headers=HTMX).content.decode()
    assert html.count('class="board-card"') == 8
    assert f"/assessments/{assessment.pk}/mitigations/?status=proposed" in html


def test_changing_the_status_inline_saves_it_and_announces_the_change(assessment, contributor, client_for):
    mitigation = _mitigation(assessment, contributor)
    response = client_for(contributor).post(
        reverse("mitigation_status", args=[mitigation.pk]),
        {"status": "implemented", "version": mitigation.version},
        headers=HTMX,
    )
    mitigation.refresh_from_db()
    assert mitigation.status == "implemented"
    assert response["HX-Trigger-After-Swap"] == "mitigations-saved"
    assert AuditEvent.objects.filter(action="mitigation.updated", object_id=mitigation.pk).exists()


def test_a_stale_status_change_saves_nothing_and_says_who_changed_it(assessment, contributor, reviewer, client_for):
    mitigation = _mitigation(assessment, contributor)
    services.mitigation_update(
        mitigation_id=mitigation.pk, by=reviewer, expected_version=mitigation.version, status="planned"
    )
    response = client_for(contributor).post(
        reverse("mitigation_status", args=[mitigation.pk]),
        {"status": "verified", "version": mitigation.version},
        headers=HTMX,
    )
    mitigation.refresh_from_db()
    assert mitigation.status == "planned"
    assert "changed by bob" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()


def test_progress_can_be_tracked_after_approval_but_signed_fields_are_frozen(assessment, contributor, client_for):
    mitigation = _mitigation(assessment, contributor)
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    client = client_for(contributor)
    page = client.get(reverse("mitigation_detail", args=[mitigation.pk])).content.decode()
    assert 'name="title"' in page and "disabled" in page.split('name="title"', 1)[1].split(">", 1)[0]
    response = client.post(
        reverse("mitigation_detail", args=[mitigation.pk]),
        {
            "title": "Tampered",
            "kind": "process_control",
            "status": "verified",
            "verification_note": "Pen test passed",
            "version": mitigation.version,
        },
    )
    mitigation.refresh_from_db()
    assert response.status_code == 302
    assert (mitigation.title, mitigation.status, mitigation.verification_note) == (
        "Sandbox the agent",
        "verified",
        "Pen test passed",
    )


def test_a_stale_mitigation_edit_shows_the_conflict_with_both_versions(assessment, contributor, reviewer, client_for):
    mitigation = _mitigation(assessment, contributor)
    services.mitigation_update(
        mitigation_id=mitigation.pk, by=reviewer, expected_version=mitigation.version, due_date=None, title="Bob's"
    )
    response = client_for(contributor).post(
        reverse("mitigation_detail", args=[mitigation.pk]),
        {"title": "Alice's", "kind": "technical_control", "status": "proposed", "version": mitigation.version},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Bob&#x27;s" in html and "Alice&#x27;s" in html
    assert Mitigation.objects.get(pk=mitigation.pk).title == "Bob's"


def test_the_list_filters_by_status_and_paginates(assessment, contributor, client_for):
    _mitigation(assessment, contributor, title="Planned one", status="planned")
    _mitigation(assessment, contributor, title="Proposed one")
    html = (
        client_for(contributor)
        .get(reverse("mitigation_list", args=[assessment.pk]), {"status": "planned"})
        .content.decode()
    )
    assert "Planned one" in html and "Proposed one" not in html


def test_deleting_a_mitigation(assessment, contributor, client_for):
    mitigation = _mitigation(assessment, contributor)
    response = client_for(contributor).post(
        reverse("mitigation_delete", args=[mitigation.pk]), {"version": mitigation.version}
    )
    assert response.status_code == 302
    assert not Mitigation.objects.exists()
