"""The workspace end to end in Chromium: sign in, create a project and an assessment, add scenarios from the
catalogue, edit a rating inline and watch the heat map follow, add a consequence and a mitigation."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, Project
from hazards.models import Consequence, HazardScenario, Mitigation

pytestmark = pytest.mark.e2e


def heat_cell(page, stage: str, likelihood: int, severity: int):
    return page.locator(f'#heatmap a.cell[href*="stage={stage}&likelihood={likelihood}&severity={severity}#"]')


def test_a_contributor_builds_an_assessment_in_the_browser(catalogue, outsider, browser_for, live_server):
    page = browser_for(outsider)

    # A new project, with its creator as owner.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.get_by_label("Name").fill("IDE assistant")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="IDE assistant", level=1)).to_be_visible()
    project = Project.objects.get(name="IDE assistant")

    # An assessment in it.
    page.get_by_role("link", name="New assessment").first.click()
    page.get_by_label("Title").fill("First wave")
    page.get_by_label("Model", exact=True).fill("CodeGen-X")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.get_by_role("heading", name=re.compile("First wave"))).to_be_visible()
    assessment = Assessment.objects.get(project=project)

    # Two templates from the catalogue at once, chosen under different filters, with their consequences
    # and suggested mitigations.
    page.get_by_role("link", name="Add from the catalogue").click()
    page.get_by_label("Search").fill("slopsquatting")
    expect(page.locator(".catalogue-item")).to_have_count(1)
    page.get_by_label(re.compile("SEC-04")).check()
    page.get_by_label("Search").fill("")
    page.get_by_label("Area").select_option("application_safety")
    expect(page.get_by_text("Also chosen, outside this filter: SEC-04")).to_be_visible()
    page.get_by_label(re.compile("APP-01")).check()
    page.get_by_role("button", name=re.compile("Add selected")).click()
    expect(page.locator("#register tbody tr")).to_have_count(2)
    keys = set(HazardScenario.objects.filter(assessment=assessment).values_list("source_template__key", flat=True))
    assert keys == {"SEC-04", "APP-01"}
    scenario = HazardScenario.objects.get(assessment=assessment, source_template__key="SEC-04")
    assert scenario.consequences.exists() and scenario.mitigations.exists()

    # Inline edit of the residual rating: the row and the residual heat map follow without a reload.
    before = int(heat_cell(page, "residual", 1, 1).inner_text())
    row = page.locator(f"#row-{scenario.pk}")
    row.get_by_role("link", name=re.compile("Edit")).click()
    edit_row = page.locator(f"#row-{scenario.pk}.editing")
    edit_row.get_by_label("Residual likelihood").select_option("1")
    edit_row.get_by_label("Residual severity").select_option("1")
    edit_row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#row-{scenario.pk}")).not_to_have_class("editing")
    expect(page.locator(f"#row-{scenario.pk}")).to_contain_text("Low")
    expect(heat_cell(page, "residual", 1, 1)).to_have_text(str(before + 1))
    scenario.refresh_from_db()
    assert (scenario.residual_likelihood, scenario.residual_severity, scenario.residual_level) == (1, 1, "low")

    # A heat-map cell filters the register in place.
    heat_cell(page, "residual", 1, 1).click()
    expect(page.locator("#register tbody tr")).to_have_count(before + 1)
    expect(page.locator("#register")).to_contain_text("matching the filters")

    # A consequence and a new mitigation on the scenario page.
    page.goto(f"{live_server.url}/hazards/{scenario.pk}/")
    consequences = Consequence.objects.filter(scenario=scenario).count()
    page.get_by_text("Add a consequence").click()
    section = page.locator("#consequences")
    section.get_by_label("Description").fill("Attacker code runs in CI")
    section.get_by_label("Harm type").select_option("security")
    section.get_by_label("Affected party").select_option("organisation")
    section.get_by_label("Severity").select_option("5")
    section.get_by_role("button", name="Add consequence").click()
    expect(page.locator("#consequences")).to_contain_text("Attacker code runs in CI")
    assert Consequence.objects.filter(scenario=scenario).count() == consequences + 1

    page.get_by_text(re.compile("New mitigation for")).click()
    mitigations = page.locator("#scenario-mitigations")
    mitigations.get_by_label("Title").fill("Mirror packages through an internal proxy")
    mitigations.get_by_label("Kind").select_option("technical_control")
    mitigations.get_by_role("button", name="Add mitigation").click()
    expect(page.locator("#scenario-mitigations")).to_contain_text("Mirror packages through an internal proxy")
    assert Mitigation.objects.get(title="Mirror packages through an internal proxy").scenarios.get() == scenario
    assert page.console_errors == []
