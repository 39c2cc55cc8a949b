"""The register and heat-map fragments come from the page cache, and a cached fragment is never served once
anything it shows has changed: content, the assessment's status, the user's role, the members, cited runs,
evidence growing old. Each request gets its own CSRF token."""

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import page_cache
from assessments.models import Membership, Role
from assessments.services import assessments as assessment_services
from assessments.services import projects as project_services
from assessments.services import workflow
from evaluations.demo import DEMO_RUNS
from evaluations.models import EvaluationRun
from evaluations.services import demo as demo_services
from hazards import portfolio_pages, scoring, services
from hazards.services.scenarios import assessment_set_matrix
from tests.factories import ProjectFactory, UserFactory, make_hazard
from tests.webtools import HTMX


@pytest.fixture
def fragment(client_for, assessment):
    clients = {}

    def get(user, name: str = "register", query: str = "") -> str:
        client = clients.setdefault(user.pk, client_for(user))
        response = client.get(f"/assessments/{assessment.pk}/{name}/{query}", headers=HTMX)
        assert response.status_code == 200
        return response.content.decode()

    return get


@pytest.fixture
def risk(assessment, contributor):
    return make_hazard(assessment, contributor, title="Insecure code", residual_likelihood=5, residual_severity=5)


def _cell(html: str, stage: str, likelihood: int, severity: int) -> int:
    link = re.search(
        rf'href="[^"]*stage={stage}&amp;likelihood={likelihood}&amp;severity={severity}#register"[^>]*', html
    )
    return int(re.search(r'data-count="(\d+)"', link.group(0)).group(1))


def test_a_content_edit_shows_at_once_in_both_fragments(fragment, contributor, risk):
    assert "Insecure code" in fragment(contributor) and _cell(fragment(contributor, "heatmap"), "residual", 5, 5) == 1
    services.hazard_update(
        hazard_id=risk.pk, by=contributor, expected_version=None, title="Unsafe <i>code</i>", residual_likelihood=1
    )
    html = fragment(contributor)
    assert "Unsafe &lt;i&gt;code&lt;/i&gt;" in html and "Insecure code" not in html
    heatmap = fragment(contributor, "heatmap")
    assert _cell(heatmap, "residual", 5, 5) == 0 and _cell(heatmap, "residual", 1, 5) == 1


def test_a_matrix_change_shows_at_once(fragment, owner, assessment, risk):
    assert "Hazlog default (5 × 5)" in fragment(owner, "heatmap")
    assessment.refresh_from_db()
    assessment_set_matrix(
        assessment_id=assessment.pk,
        by=owner,
        expected_version=assessment.version,
        matrix=scoring.preset("mil_std_882e"),
    )
    html = fragment(owner, "heatmap")
    assert "MIL-STD-882E" in html and "Hazlog default" not in html


def test_the_status_and_the_role_change_what_the_user_may_do_at_once(fragment, owner, contributor, assessment, risk):
    assert "Add a scenario" in fragment(contributor)
    assert ">change</a>" in fragment(owner, "heatmap")
    # A low residual risk needs no mitigation before submission.
    services.hazard_update(hazard_id=risk.pk, by=contributor, expected_version=None, residual_likelihood=1)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert "Add a scenario" not in fragment(contributor)  # in review: frozen
    assert ">change</a>" not in fragment(owner, "heatmap")


def test_a_role_change_shows_at_once(fragment, owner, contributor, assessment, risk):
    assert "Add a scenario" in fragment(contributor)
    membership = Membership.objects.get(project=assessment.project, user=contributor)
    project_services.membership_change_role(
        membership_id=membership.pk, by=owner, role=Role.VIEWER, expected_version=None
    )
    assert "Add a scenario" not in fragment(contributor)


def test_a_new_member_appears_in_the_owner_filter_at_once(fragment, owner, contributor, assessment, risk):
    assert "newcomer" not in fragment(contributor)
    newcomer = UserFactory(username="newcomer")
    project_services.membership_add(project_id=assessment.project_id, by=owner, user=newcomer, role=Role.VIEWER)
    assert ">newcomer<" in fragment(contributor)


def test_each_user_and_each_query_have_their_own_fragment(fragment, contributor, viewer, risk):
    assert "Add a scenario" in fragment(contributor)
    assert "Add a scenario" not in fragment(viewer)
    assert "No scenario matches these filters." in fragment(contributor, query="?category=over_reliance")
    assert "Insecure code" in fragment(contributor)


def test_each_request_gets_its_own_csrf_token_and_can_post_with_it(contributor, assessment, risk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    tokens = []
    for _ in range(2):
        html = client.get(f"/assessments/{assessment.pk}/register/", headers=HTMX).content.decode()
        assert "csrf-token-of-this-request" not in html
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert tokens[0] != tokens[1]  # masked afresh: the second came from the cache
    added = client.post(
        f"/assessments/{assessment.pk}/hazards/new/",
        {"csrfmiddlewaretoken": tokens[1], "title": "Added through a cached form", "category": "insecure_code"},
        headers=HTMX,
    )
    assert added.status_code == 200 and "Added through a cached form" in added.content.decode()


@pytest.fixture
def cited(assessment, contributor, risk):
    run = demo_services.demo_run_create(project=assessment.project, by=contributor, spec=DEMO_RUNS[1])
    assessment_services.assessment_update(
        assessment_id=assessment.pk,
        by=contributor,
        expected_version=None,
        model_name=run.model_name,
        model_version=run.model_version,
    )
    services.citation_create(hazard_id=risk.pk, by=contributor, run_id=run.pk, relation="capability_gap")
    return run


def test_a_cited_run_that_changes_is_shown_stale_at_once(fragment, contributor, cited):
    assert "stale evidence" not in fragment(contributor) and ">evidence</span>" in fragment(contributor)
    EvaluationRun.objects.filter(pk=cited.pk).update(model_version="another version")
    assert "stale evidence" in fragment(contributor)


def test_evidence_that_grows_too_old_is_shown_stale_from_that_moment(fragment, monkeypatch, contributor, cited):
    max_age = cited.project.evidence_max_age_days
    too_old_in_an_hour = timezone.now() - datetime.timedelta(days=max_age) + datetime.timedelta(hours=1)
    EvaluationRun.objects.filter(pk=cited.pk).update(finished_at=too_old_in_an_hour)
    assert "stale evidence" not in fragment(contributor)
    assert "stale evidence" not in fragment(contributor)  # from the cache
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "stale evidence" in fragment(contributor)


def test_the_assessment_page_shows_the_cached_fragments_fresh(client_for, contributor, assessment, risk):
    client = client_for(contributor)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Insecure code" in page and 'id="heatmap"' in page and "csrf-token-of-this-request" not in page
    services.hazard_update(hazard_id=risk.pk, by=contributor, expected_version=None, title="Renamed risk")
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    register = page.split('<section id="register"', 1)[1].split("</section>", 1)[0]
    assert "Renamed risk" in register and "Insecure code" not in register


def test_a_new_release_starts_a_new_key_space(settings, tmp_path):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    page_cache.release.cache_clear()
    template = tmp_path / "changed.html"
    template.write_text("before")
    before = page_cache.key("register", 1)
    template.write_text("after the deploy")
    page_cache.release.cache_clear()
    assert page_cache.key("register", 1) != before
    page_cache.release.cache_clear()


@pytest.mark.parametrize(
    ("name", "query", "cached"),
    [
        ("register", "?sort=residual&dir=desc", True),
        ("register", "?q=insecure", False),  # a free-text search: endless, answered fresh
        ("register", "?utm_source=mail", False),
        ("register", "?page=7", False),  # no such page
        ("register", "?category=nope", False),
        ("heatmap", "?stage=residual&likelihood=5&severity=5", True),
        ("heatmap", "?stage=residual&likelihood=99&severity=5", False),
        ("heatmap", "?stage=residual&stage=inherent", False),
    ],
)
def test_only_query_strings_asked_for_again_are_cached(name, query, cached, client_for, contributor, assessment, risk):
    client = client_for(contributor)
    url = f"/assessments/{assessment.pk}/{name}/{query}"
    client.get(url, headers=HTMX)
    with CaptureQueriesContext(connection) as again:
        assert client.get(url, headers=HTMX).status_code == 200
    # From the cache: the session, the user, the assessment (and for the register its inputs and owners' names).
    assert (len(again) <= {"register": 5, "heatmap": 3}[name]) is cached, [q["sql"][:60] for q in again]


def test_portfolio_answers_to_unknown_or_foreign_filters_are_not_kept(client_for, api_client_for, owner, two_projects):
    foreign = ProjectFactory(name="Not yours")
    for client, part, query in [
        (client_for(owner), "page", "category=over_reliance"),
        (api_client_for(owner), "api", "category=over_reliance"),
        (client_for(owner), "page", "utm_source=mail"),
        (client_for(owner), "page", f"project={foreign.pk}"),
        (api_client_for(owner), "api", f"project={foreign.pk}"),
        (api_client_for(owner), "api", "owner=nobody-at-all"),
    ]:
        path = "/portfolio/" if part == "page" else "/api/v1/portfolio/"
        assert client.get(f"{path}?{query}").status_code == 200
        key = portfolio_pages.key(user=owner, part=part, query_string=QueryDict(query).urlencode())
        assert (page_cache.get(key) is not None) is (query == "category=over_reliance"), (part, query)
