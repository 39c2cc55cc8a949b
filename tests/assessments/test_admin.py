"""Django admin: staff can search and filter every domain table, but cannot change anything there."""

import pytest

from tests.factories import UserFactory, make_hazard

CHANGELISTS = [
    "assessments/project",
    "assessments/membership",
    "assessments/assessment",
    "assessments/auditevent",
    "assessments/notification",
    "assessments/exportjob",
    "assessments/webhookendpoint",
    "hazards/hazardscenario",
    "hazards/mitigation",
    "hazards/riskacceptance",
    "hazards/hazardtemplate",
]


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.mark.parametrize("path", CHANGELISTS)
def test_staff_can_search_and_filter_each_changelist(staff_client, assessment, contributor, path):
    make_hazard(assessment, contributor, title="Slopsquatting")
    response = staff_client.get(f"/admin/{path}/", {"q": "Slop"})
    assert response.status_code == 200


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
