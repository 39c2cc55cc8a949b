"""Django admin: staff can search and filter every domain table, but cannot change anything there."""

import datetime

import pytest

from tests.factories import UserFactory, make_assessment, make_hazard
from tests.webtools import force_login_verified

# Each changelist with a search that matches some but not all of the rows the `admin_data` fixture makes.
CHANGELISTS = {
    "assessments/project": "Someone",
    "assessments/membership": "mallory",
    "assessments/assessment": "Agents",
    "assessments/auditevent": "H-001",
    "assessments/notification": "bob",
    "assessments/exportjob": "victor",
    "assessments/webhookendpoint": "jira",
    "hazards/hazardscenario": "Slop",
    "hazards/mitigation": "Sandbox",
    "hazards/riskacceptance": "Pilot",
    "hazards/hazardtemplate": "SEC-01",
}


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    # Staff reach the admin only with their second factor (accounts.middleware).
    return force_login_verified(client, staff)


@pytest.fixture
def admin_data(assessment, other_project, contributor, viewer, approver, owner, outsider):
    """At least two rows in every changelist, through the services where there is one."""
    from assessments.exports.service import export_request
    from assessments.models import WebhookEndpoint
    from assessments.services import workflow
    from hazards import services
    from tests.api.conftest import load_template

    make_assessment(other_project, outsider, title="Agents in CI")
    slop = make_hazard(assessment, contributor, title="Slopsquatting")
    crypto = make_hazard(assessment, contributor, title="Weak crypto")
    for title, scenario in (("Sandbox the agent", slop), ("Pin dependencies", crypto)):
        services.mitigation_create(
            assessment_id=assessment.pk, by=contributor, title=title, kind="process_control", hazard_ids=[scenario.pk]
        )
    expires = datetime.date.today() + datetime.timedelta(days=30)
    services.acceptance_grant(hazard_id=slop.pk, by=approver, rationale="Pilot only", expires_on=expires)
    services.acceptance_grant(hazard_id=crypto.pk, by=approver, rationale="Low exposure", expires_on=expires)
    load_template("SEC-01")
    load_template("SEC-02")
    for url in ("https://hooks.example.com/jira", "https://hooks.example.com/slack"):
        WebhookEndpoint.objects.create(project=assessment.project, url=url, secret="s" * 32, created_by=owner)
    export_request(assessment_id=assessment.pk, by=contributor, format="json")
    export_request(assessment_id=assessment.pk, by=viewer, format="csv")
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)  # notifies four people


@pytest.mark.parametrize("path", CHANGELISTS)
def test_staff_can_search_and_filter_each_changelist(staff_client, admin_data, path):
    unfiltered = staff_client.get(f"/admin/{path}/")
    response = staff_client.get(f"/admin/{path}/", {"q": CHANGELISTS[path]})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.search_fields
    # The search narrows the list: something matches, but not everything.
    assert unfiltered.context["cl"].result_count >= 2
    assert 0 < changelist.result_count < changelist.full_result_count
    assert changelist.full_result_count == unfiltered.context["cl"].result_count
    assert changelist.has_filters


def test_the_hazard_changelist_finds_by_text_and_filters_by_level(staff_client, assessment, contributor):
    make_hazard(assessment, contributor, title="Slopsquatting")
    make_hazard(assessment, contributor, title="Weak crypto", residual_likelihood=5, residual_severity=5)
    found = staff_client.get("/admin/hazards/hazardscenario/", {"q": "slop"}).content.decode()
    assert "Slopsquatting" in found and "Weak crypto" not in found
    high = staff_client.get("/admin/hazards/hazardscenario/", {"residual_level": "high"}).content.decode()
    assert "Weak crypto" in high and "Slopsquatting" not in high


def test_domain_objects_cannot_be_added_changed_or_deleted_in_admin(staff_client, assessment, contributor):
    scenario = make_hazard(assessment, contributor)
    assert staff_client.get("/admin/hazards/hazardscenario/add/").status_code == 403
    change = staff_client.post(f"/admin/hazards/hazardscenario/{scenario.pk}/change/", {"title": "edited in admin"})
    assert change.status_code == 403
    assert staff_client.post(f"/admin/hazards/hazardscenario/{scenario.pk}/delete/", {"post": "yes"}).status_code == 403
    scenario.refresh_from_db()
    assert scenario.title != "edited in admin"
