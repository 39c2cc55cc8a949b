"""Review and sign-off end to end in Chromium: submit, request changes, fix and resubmit, two approvals,
frozen content, a new revision, and the diff showing what changed."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, Status
from tests.factories import make_hazard

pytestmark = pytest.mark.e2e


def test_an_assessment_goes_through_review_and_sign_off_to_a_new_revision(
    project, assessment, contributor, reviewer, approver, approver2, browser_for, live_server
):
    project.required_approvals = 2
    project.save()
    scenario = make_hazard(
        assessment, contributor, title="Plausible but incorrect code", residual_likelihood=1, residual_severity=2
    )
    url = f"{live_server.url}/assessments/{assessment.pk}/"

    alice = browser_for(contributor)
    alice.goto(url)
    alice.get_by_role("button", name="Submit for review").click()
    expect(alice.locator("#messages")).to_contain_text("Submitted for review")
    expect(alice.locator("#register").get_by_role("link", name="Edit")).to_have_count(0)  # frozen in review

    bob = browser_for(reviewer)
    bob.goto(url)
    bob.get_by_label("What needs to change").fill("Rate the residual likelihood again after the pilot data.")
    bob.get_by_role("button", name="Request changes").click()
    expect(bob.locator("#messages")).to_contain_text("Changes requested")
    assert Assessment.objects.get(pk=assessment.pk).status == Status.CHANGES_REQUESTED

    alice.goto(f"{live_server.url}/notifications/")
    expect(alice.get_by_text(re.compile("bob requested changes"))).to_be_visible()
    alice.goto(url)
    alice.locator(f"#row-{scenario.pk}").get_by_role("link", name="Edit").click()
    alice.locator(f"#row-{scenario.pk}").get_by_label("Residual likelihood").select_option("2")
    alice.locator(f"#row-{scenario.pk}").get_by_role("button", name="Save").click()
    expect(alice.locator(f"#row-{scenario.pk}")).not_to_have_class(re.compile("editing"))
    alice.reload()
    alice.get_by_role("button", name="Submit for review").click()
    expect(alice.locator("#messages")).to_contain_text("Submitted for review")

    # Four eyes: the submitter cannot approve; two distinct approvers can.
    for person, expected in ((approver, "more approvals are needed"), (approver2, "is now signed off and frozen")):
        page = browser_for(person)
        page.goto(url)
        page.locator("#status-panel").get_by_role("button", name="Approve").click()
        expect(page.locator("#messages")).to_contain_text(expected)
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED and assessment.approvals.count() == 2

    alice.goto(url)
    expect(alice.locator("#status-panel")).to_contain_text("Approved")
    expect(alice.locator("#register").get_by_role("link", name="Edit")).to_have_count(0)
    expect(alice.get_by_text("Add a scenario")).to_have_count(0)

    # A new revision: a draft copy with the same refs; a change there shows in the diff.
    alice.get_by_role("button", name="Start a new revision").click()
    expect(alice.get_by_role("heading", name=re.compile("rev. 2"))).to_be_visible()
    revision = Assessment.objects.get(lineage=assessment.lineage, revision=2)
    copy = revision.scenarios.get(ref=scenario.ref)
    alice.locator(f"#row-{copy.pk}").get_by_role("link", name="Edit").click()
    alice.locator(f"#row-{copy.pk}").get_by_label("Residual likelihood").select_option("5")
    alice.locator(f"#row-{copy.pk}").get_by_label("Residual severity").select_option("5")
    alice.locator(f"#row-{copy.pk}").get_by_role("button", name="Save").click()
    expect(alice.locator(f"#row-{copy.pk}")).to_contain_text("High")
    alice.reload()
    alice.get_by_role("link", name="what changed").click()
    expect(alice.get_by_role("heading", name="What changed: revision 1 → 2")).to_be_visible()
    change = alice.locator(f"#diff-{scenario.ref}")
    expect(change).to_contain_text("Residual:")
    expect(change).to_contain_text("risk up")
    assert alice.console_errors == []
