"""What a viewer sees, keyboard use, and the tablet layout, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_hazard

pytestmark = pytest.mark.e2e


def test_a_viewer_sees_no_edit_controls(assessment, contributor, viewer, browser_for, live_server):
    scenario = make_hazard(assessment, contributor)
    page = browser_for(viewer)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator(f"#row-{scenario.pk}")).to_be_visible()
    expect(page.get_by_text("Add a scenario")).to_have_count(0)
    expect(page.get_by_role("link", name="Add from the catalogue")).to_have_count(0)
    expect(page.locator("#register").get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(page.locator("#mitigations select")).to_have_count(0)
    expect(page.locator("#comments textarea")).to_have_count(0)
    page.goto(f"{live_server.url}/hazards/{scenario.pk}/")
    expect(page.get_by_role("link", name="Edit scenario")).to_have_count(0)
    expect(page.get_by_text("Add a consequence")).to_have_count(0)
    assert page.console_errors == []


def test_the_register_can_be_edited_with_the_keyboard_alone(assessment, contributor, browser_for, live_server):
    scenario = make_hazard(assessment, contributor, title="Keyboard")
    page = browser_for(contributor)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.locator(f"#row-{scenario.pk}").get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    title = page.locator(f"#row-{scenario.pk}").get_by_label("Title")
    expect(title).to_be_focused()  # the edit row takes the focus
    title.fill("Keyboard only")
    page.keyboard.press("Enter")  # submits the row form
    expect(page.locator(f"#row-{scenario.pk}")).to_contain_text("Keyboard only")


def test_the_assessment_page_fits_a_tablet(assessment, contributor, browser_for, live_server):
    make_hazard(assessment, contributor)
    page = browser_for(contributor)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    # Nothing but the register's own scroll area is wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    expect(page.locator("#heatmap")).to_be_visible()
    expect(page.locator("#register")).to_be_visible()
