"""Two people in two browsers: no silent overwrite, and each browser catches up with the other's changes."""

import re

import pytest
from playwright.sync_api import expect

from hazards.models import HazardScenario
from tests.factories import make_hazard

pytestmark = pytest.mark.e2e


def open_row_editor(page, scenario):
    page.locator(f"#row-{scenario.pk}").get_by_role("link", name=re.compile("Edit")).click()
    editor = page.locator(f"#row-{scenario.pk}.editing")
    expect(editor).to_be_visible()
    return editor


def test_the_second_save_of_the_same_scenario_gets_the_conflict_not_an_overwrite(
    assessment, contributor, reviewer, browser_for, live_server
):
    scenario = make_hazard(assessment, contributor, title="Plausible but incorrect code")
    alice = browser_for(contributor)
    bob = browser_for(reviewer)
    for page in (alice, bob):
        page.goto(f"{live_server.url}/assessments/{assessment.pk}/")

    alice_editor = open_row_editor(alice, scenario)
    bob_editor = open_row_editor(bob, scenario)
    alice_editor.get_by_label("Title").fill("Alice's title")
    alice_editor.get_by_role("button", name="Save").click()
    expect(alice.locator(f"#row-{scenario.pk}")).to_contain_text("Alice's title")

    bob_editor.get_by_label("Title").fill("Bob's title")
    bob_editor.get_by_label("Residual likelihood").select_option("1")
    bob_editor.get_by_role("button", name="Save").click()
    conflict = bob.locator(f"#row-{scenario.pk} .conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Not saved")
    expect(conflict).to_contain_text("alice saved a change")
    expect(conflict).to_contain_text("Alice's title")
    expect(conflict).to_contain_text("Bob's title")
    scenario.refresh_from_db()
    assert scenario.title == "Alice's title"

    # Bob keeps his values and saves them on top of Alice's version.
    expect(bob.locator(f"#row-{scenario.pk}").get_by_label("Title")).to_have_value("Bob's title")
    bob.locator(f"#row-{scenario.pk}").get_by_role("button", name="Save my values").click()
    expect(bob.locator(f"#row-{scenario.pk}")).not_to_have_class(re.compile("editing"))
    expect(bob.locator(f"#row-{scenario.pk}")).to_contain_text("Bob's title")
    scenario.refresh_from_db()
    assert (scenario.title, scenario.residual_likelihood) == ("Bob's title", 1)
    assert alice.console_errors == [] and bob.console_errors == []


def test_another_browser_catches_up_within_seconds(assessment, contributor, reviewer, browser_for, live_server):
    scenario = make_hazard(assessment, contributor, residual_likelihood=2, residual_severity=3)
    watcher = browser_for(reviewer)
    watcher.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    cell = watcher.locator('#heatmap a.cell[href*="stage=residual&likelihood=5&severity=5#"]')
    expect(cell).to_have_text("0")

    editor = browser_for(contributor)
    editor.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    row = open_row_editor(editor, scenario)
    row.get_by_label("Title").fill("Now rated worst case")
    row.get_by_label("Residual likelihood").select_option("5")
    row.get_by_label("Residual severity").select_option("5")
    row.get_by_role("button", name="Save").click()
    expect(editor.locator(f"#row-{scenario.pk}")).to_contain_text("High")

    # The watcher never reloads: the poll notices the change and the regions refresh themselves.
    expect(cell).to_have_text("1", timeout=12_000)
    expect(watcher.locator(f"#row-{scenario.pk}")).to_contain_text("Now rated worst case", timeout=12_000)
    assert HazardScenario.objects.get(pk=scenario.pk).residual_level == "high"


def test_a_remote_change_does_not_wipe_a_row_being_edited(assessment, contributor, reviewer, browser_for, live_server):
    first = make_hazard(assessment, contributor, title="Being edited")
    second = make_hazard(assessment, contributor, title="Changed elsewhere")
    alice = browser_for(contributor)
    alice.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    editor = open_row_editor(alice, first)
    editor.get_by_label("Title").fill("Half-typed")

    from hazards import services

    services.hazard_update(hazard_id=second.pk, by=reviewer, expected_version=second.version, title="Bob renamed it")
    expect(alice.locator("[data-paused-note]")).to_be_visible(timeout=12_000)
    expect(editor.get_by_label("Title")).to_have_value("Half-typed")
    editor.get_by_role("button", name="Save").click()
    expect(alice.locator(f"#row-{second.pk}")).to_contain_text("Bob renamed it")
    expect(alice.locator(f"#row-{first.pk}")).to_contain_text("Half-typed")
