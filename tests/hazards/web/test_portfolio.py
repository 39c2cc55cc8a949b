"""The portfolio: every project a manager can see on one page, its filters, heat map cells and CSV."""

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment, Role
from hazards import portfolio
from hazards.models import HazardScenario, Mitigation, RiskAcceptance
from hazards.services import mitigation_create
from tests.factories import ProjectFactory, add_member, make_assessment, make_hazard

TODAY = timezone.localdate()


def test_the_portfolio_shows_every_project_of_the_user_and_nothing_else(client_for, owner, two_projects):
    page = client_for(owner).get("/portfolio/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "IDE rollout" in html and "Agent pilot review" in html
    assert "Secret assessment" not in html and "Outsider&#x27;s risk" not in html
    assert "Static analysis gate" in html  # overdue
    assert "Pilot only" not in html and two_projects["worst"].title in html
    data = portfolio.portfolio(user=owner, f=portfolio.PortfolioFilters())
    assert [r.rationale for r in data.expiring_acceptances] == ["Pilot only"]  # 10 days, not 90
    assert data.overdue_mitigation_count == 1
    # Both 5 × 5 (5, 5) and MIL-STD's (5, 4) land in the common top cell.
    assert data.heatmap[(5, 5)] == 2
    assert [s.title for s in data.top_risks][:2] == ["Insecure code", "Agent deletes data"] or [
        s.title for s in data.top_risks
    ][:2] == ["Agent deletes data", "Insecure code"]
    assert data.status_counts["draft"] == 2


def test_outsiders_see_only_their_own_project(client_for, outsider, two_projects):
    html = client_for(outsider).get("/portfolio/").content.decode()
    assert "Secret assessment" in html and "IDE rollout" not in html
    # Filtering by someone else's project is not a way in: the filter is refused and left out.
    foreign = client_for(outsider).get(f"/portfolio/?project={two_projects['first'].project_id}").content.decode()
    assert "IDE rollout" not in foreign and "were not valid" in foreign
    rows = list(csv.reader(io.StringIO(client_for(outsider).get("/portfolio/export.csv").getvalue().decode())))
    assert [row[6] for row in rows[1:]] == ["Outsider's risk"]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/portfolio/")["Location"].startswith("/accounts/login/")
    assert client.get("/portfolio/export.csv")["Location"].startswith("/accounts/login/")


def test_filters_and_cells_narrow_the_lists(client_for, owner, contributor, two_projects):
    f = portfolio.PortfolioFilters
    by_project = portfolio.portfolio(user=owner, f=f(project=two_projects["second"].pk))
    assert [a.title for a in by_project.assessments] == ["Agent pilot review"]
    by_area = portfolio.portfolio(user=owner, f=f(category="over_reliance"))
    assert [s.title for s in by_area.top_risks] == ["Over-reliance"]
    assert by_area.overdue_mitigation_count == 0  # the late control addresses another area
    by_owner = portfolio.portfolio(user=owner, f=f(owner=contributor.pk))
    assert [s.title for s in by_owner.top_risks] == ["Over-reliance"]
    assert by_owner.overdue_mitigation_count == 1  # its own owner is the contributor
    cell = portfolio.portfolio(user=owner, f=f(likelihood=5, severity=5))
    assert sorted(s.title for s in cell.top_risks) == ["Agent deletes data", "Insecure code"]
    page = client_for(owner).get("/portfolio/?likelihood=5&severity=5").content.decode()
    assert "in cell 5 × 5" in page and "</a> Over-reliance<" not in page
    assert 'href="?likelihood=5&amp;severity=5#top-risks"' in page or "likelihood=5&amp;severity=5" in page
    bad = client_for(owner).get("/portfolio/?likelihood=9&category=nope").content.decode()
    assert "were not valid" in bad and "</a> Over-reliance<" in bad


def test_the_csv_lists_the_filtered_scenarios_worst_first_safely(client_for, owner, contributor, two_projects):
    make_hazard(two_projects["first"], contributor, title='=HYPERLINK("http://evil")')
    response = client_for(owner).get("/portfolio/export.csv?project=" + str(two_projects["first"].project_id))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["Project", "Assessment", "Revision"]
    titles = [row[6] for row in rows[1:]]
    assert titles[0] == "Insecure code"
    assert '\'=HYPERLINK("http://evil")' in titles  # never a formula in a spreadsheet
    assert "Agent deletes data" not in titles


def test_the_portfolio_makes_the_same_number_of_queries_for_more_projects_and_rows(client_for, owner, contributor):
    def grow(n: int) -> None:
        for i in range(n):
            project = ProjectFactory(name=f"P{Assessment.objects.count()}-{i}")
            add_member(project, owner, Role.OWNER)
            add_member(project, contributor, Role.CONTRIBUTOR)
            a = make_assessment(project, contributor, title=f"A{i}")
            for j in range(3):
                s = make_hazard(a, contributor, title=f"S{j}", owner=contributor)
                m = mitigation_create(
                    assessment_id=a.pk, by=contributor, title=f"M{j}", kind="technical_control", hazard_ids=[s.pk]
                )
                Mitigation.objects.filter(pk=m.pk).update(due_date=TODAY - datetime.timedelta(days=1))
                RiskAcceptance.objects.create(
                    scenario=s, accepted_by=owner, rationale="r", expires_on=TODAY + datetime.timedelta(days=5)
                )

    client = client_for(owner)
    counts = []
    for n in (1, 4):
        grow(n)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/portfolio/?owner=" + str(contributor.pk)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert HazardScenario.objects.count() == 15


def _sign_in(client, user, **query):
    return client.post(
        "/accounts/login/" + (f"?next={query['next']}" if query else ""),
        {"username": user.username, "password": "correct horse battery staple"},
    )


def test_a_manager_lands_on_the_portfolio_and_everyone_else_on_my_work(client, owner, contributor, two_projects):
    landed = _sign_in(client, owner)
    assert landed.status_code == 302 and client.get(landed["Location"])["Location"] == "/portfolio/"
    client.logout()
    landed = _sign_in(client, contributor)
    assert client.get(landed["Location"])["Location"] == "/"


def test_an_approver_is_a_manager_too_and_a_next_page_wins(client, approver, two_projects):
    assert client.get(_sign_in(client, approver)["Location"])["Location"] == "/portfolio/"
    client.logout()
    assert _sign_in(client, approver, next="/catalogue/")["Location"] == "/catalogue/"
