"""The rendered portfolio is cached, and a cached page is never served once anything it shows has changed:
content, an assessment's own columns, a project's name, who is a member, a person's name, the day, the filters.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Membership, Role
from assessments.services import assessments as assessment_services
from assessments.services import projects as project_services
from assessments.services import workflow as workflow_services
from hazards.services import acceptance_grant, hazard_update, mitigation_update
from tests.factories import ProjectFactory, add_member, make_assessment, make_hazard

TODAY = timezone.localdate()


@pytest.fixture
def page(client_for, owner):
    client = client_for(owner)

    def get(query: str = "") -> str:
        response = client.get(f"/portfolio/{query}")
        assert response.status_code == 200
        return response.content.decode()

    return get


def _queries(get) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        html = get()
    return html, [q["sql"] for q in captured]


def test_a_second_view_is_served_from_the_cache_in_the_same_few_queries(page, owner, contributor, two_projects):
    first = page()
    again, queries = _queries(page)
    assert again.split("<main")[1] == first.split("<main")[1]  # the header differs: a new CSRF mask each time
    # Session, user, the inputs (one statement), the names of the people shown, the unread-notifications
    # badge: no scenario, mitigation or acceptance is read.
    assert len(queries) == 5, queries
    assert not any("hazards_hazardscenario" in q or "hazards_mitigation" in q for q in queries), queries
    # Constant in the number of projects and scenarios.
    for n in range(3):
        project = ProjectFactory(name=f"Extra {n}")
        add_member(project, owner, Role.OWNER)
        add_member(project, contributor, Role.CONTRIBUTOR)
        extra = make_assessment(project, contributor, title=f"Extra assessment {n}")
        make_hazard(extra, contributor, title=f"Extra risk {n}", residual_likelihood=4, residual_severity=4)
    page()
    html, queries = _queries(page)
    assert "Extra assessment 2" in html and len(queries) == 5


def test_a_content_edit_is_shown_at_once(page, contributor, two_projects):
    assert "Insecure code" in page()
    hazard_update(hazard_id=two_projects["worst"].pk, by=contributor, expected_version=None, title="Unsafe <b>code</b>")
    html = page()
    assert "Unsafe &lt;b&gt;code&lt;/b&gt;" in html and "Insecure code" not in html
    (late,) = two_projects["first"].mitigations.all()
    mitigation_update(mitigation_id=late.pk, by=contributor, expected_version=None, status="implemented")
    assert "Static analysis gate" not in page() and "Nothing is overdue." in page()


def test_assessment_columns_and_status_changes_are_shown_at_once(page, contributor, two_projects):
    first = two_projects["first"]
    page()
    assessment_services.assessment_update(
        assessment_id=first.pk, by=contributor, expected_version=None, title="IDE rollout, phase 2"
    )
    assert "IDE rollout, phase 2" in page()
    later = TODAY + datetime.timedelta(days=40)
    assessment_services.assessment_update(assessment_id=first.pk, by=contributor, expected_version=None, due_date=later)
    assert later.strftime("%-d %b %Y") in page()
    workflow_services.assessment_submit(assessment_id=first.pk, by=contributor)
    html = page()
    assert 'aria-label="Assessments by status"' in html
    assert '<li><span class="pill">1</span> In review</li>' in html


def test_a_project_rename_and_a_person_rename_are_shown_at_once(page, owner, contributor, two_projects):
    second = two_projects["second"]
    assert "Agent pilot" in page()
    project_services.project_update(project_id=second.pk, by=owner, expected_version=None, name="Agent fleet")
    assert "Agent fleet" in page()
    # The overdue mitigation's owner, shown by name; renamed outside any assessment (the admin, single sign-on).
    assert contributor.username in page()
    contributor.username = "carol-renamed"
    contributor.save(update_fields=["username"])
    assert "carol-renamed" in page()


def test_an_acceptance_is_listed_at_once(page, approver, two_projects):
    worst = two_projects["worst"]
    page()
    acceptance_grant(
        hazard_id=worst.pk, by=approver, rationale="Sandboxed", expires_on=TODAY + datetime.timedelta(days=5)
    )
    html = page()
    assert html.count(f'href="/hazards/{worst.pk}/"') >= 3  # top risks and two expiring acceptances


def test_memberships_change_the_page_at_once(page, owner, contributor, outsider, two_projects):
    assert "Secret assessment" not in page()
    hidden = two_projects["hidden"]
    project_services.membership_add(project_id=hidden.project_id, by=outsider, user=owner, role=Role.VIEWER)
    assert "Secret assessment" in page()
    membership = Membership.objects.get(project=hidden.project, user=owner)
    project_services.membership_remove(membership_id=membership.pk, by=outsider)
    assert "Secret assessment" not in page()


def test_a_new_day_and_each_filter_have_their_own_page(page, monkeypatch, two_projects):
    assert "Static analysis gate" in page()
    assert "Static analysis gate" not in page("?category=over_reliance")
    assert "Static analysis gate" in page()
    # Five days earlier the mitigation was not due yet (what is overdue depends on the day).
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY - datetime.timedelta(days=5))
    assert "Nothing is overdue." in page()


def test_another_user_never_gets_my_cached_page(page, client_for, owner, outsider, contributor, two_projects):
    assert "IDE rollout" in page()
    theirs = client_for(outsider).get("/portfolio/").content.decode()
    assert "IDE rollout" not in theirs and "Secret assessment" in theirs
    # The contributor sees the same two projects, but the page is per user, like every page.
    mine = client_for(contributor).get("/portfolio/").content.decode()
    assert "IDE rollout" in mine and f'title="Change your password">{contributor.username}<' in mine


def test_a_cache_outage_still_serves_the_page(client_for, owner, two_projects, cache_down):
    response = client_for(owner).get("/portfolio/")
    assert response.status_code == 200 and "IDE rollout" in response.content.decode()
