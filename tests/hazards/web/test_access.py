"""Who may reach which browser URL: outsiders get 404 everywhere, viewers are refused every write, and
anonymous visitors are sent to sign in. The URL lists are walked from the URLconf, so a new page is covered."""

import datetime

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.urls import urlpatterns as account_patterns
from assessments import snapshot
from assessments.models import AuditEvent, Membership, Snapshot
from assessments.urls import urlpatterns as assessment_patterns
from evaluations.demo import DEMO_RUNS
from evaluations.models import CustomSuite, ModelEndpoint
from evaluations.services import demo as demo_services
from evaluations.urls import urlpatterns as evaluation_patterns
from hazards import services
from hazards.models import Attachment, Consequence, MitigationKind
from hazards.urls import urlpatterns as hazard_patterns
from tests import attachment_files
from tests.attachment_files import PDF
from tests.factories import make_hazard
from tests.webtools import HTMX

# Pages that are not about one project's data: every signed-in user has their own (the portfolio's
# scoping to the user's projects is proven in test_portfolio.py).
UNSCOPED = {
    "home",
    "landing",
    "catalogue",
    "project_list",
    "notifications",
    "notifications_mark_read",
    "portfolio",
    "portfolio_csv",
    "login",
    "logout",
    # Sign-in and the account's own two-step settings (tests/accounts prove each sends anonymous visitors away).
    "login_code",
    "two_factor",
    "two_factor_enrol",
    "two_factor_verify",
    "two_factor_disable",
    "two_factor_recovery_codes",
    "oidc_authentication_init",
    "oidc_authentication_callback",
}


def _patterns():
    every = [*account_patterns, *assessment_patterns, *hazard_patterns, *evaluation_patterns]
    patterns = [p for p in every if isinstance(p, URLPattern)]
    return sorted((p.name, tuple(p.pattern.converters)) for p in patterns if p.name not in UNSCOPED)


SCOPED = _patterns()


@pytest.fixture
def objects(project, assessment, contributor, approver):
    scenario = make_hazard(assessment, contributor, inherent_severity=5, inherent_likelihood=5)
    consequence = services.consequence_create(
        hazard_id=scenario.pk,
        by=contributor,
        description="Data loss",
        harm_type="technical",
        affected_party="end_users",
        severity=3,
    )
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Review every diff",
        kind=MitigationKind.PROCESS_CONTROL,
        hazard_ids=[scenario.pk],
    )
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="Tolerable for the pilot",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    run = demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[1])
    citation = services.citation_create(hazard_id=scenario.pk, by=contributor, run_id=run.pk, relation="capability_gap")
    endpoint = ModelEndpoint.objects.create(project=project, name="e", base_url="https://api.example.com/v1", model="m")
    suite = CustomSuite.objects.create(project=project, name="ours", tasks=[], task_count=0, digest="0" * 64)
    attachment = services.attachment_upload(
        by=contributor, upload=attachment_files.upload("pen-test.pdf", attachment_files.PDF), hazard_id=scenario.pk
    )
    canonical, sha = snapshot.build(assessment)
    stored = Snapshot.objects.create(assessment=assessment, sha256=sha, canonical=canonical)
    return {
        "attachment_id": attachment.pk,
        "run_id": run.pk,
        "task_id": run.samples.values_list("task_id", flat=True).first(),
        "citation_id": citation.pk,
        "endpoint_id": endpoint.pk,
        "suite_id": suite.pk,
        "project_id": project.pk,
        "assessment_id": assessment.pk,
        "hazard_id": scenario.pk,
        "consequence_id": consequence.pk,
        "mitigation_id": mitigation.pk,
        "acceptance_id": acceptance.pk,
        "membership_id": Membership.objects.get(project=project, user=contributor).pk,
        "snapshot_id": stored.pk,
    }


def test_every_project_scoped_url_pattern_is_covered_by_the_fixture_objects():
    names = {kwarg for _, kwargs in SCOPED for kwarg in kwargs}
    assert names <= {
        "project_id",
        "assessment_id",
        "hazard_id",
        "consequence_id",
        "mitigation_id",
        "acceptance_id",
        "membership_id",
        "snapshot_id",
        "run_id",
        "task_id",
        "citation_id",
        "endpoint_id",
        "suite_id",
        "attachment_id",
    }
    assert len(SCOPED) >= 50


@pytest.mark.parametrize(("name", "kwargs"), SCOPED)
def test_an_outsider_gets_404_for_every_page_and_fragment(name, kwargs, objects, outsider, other_project, client_for):
    client = client_for(outsider)
    url = reverse(name, kwargs={k: objects[k] for k in kwargs})
    events_before = AuditEvent.objects.count()
    answers = [
        client.get(url).status_code,
        client.get(url, headers=HTMX).status_code,
        client.post(url, {"version": 1, "title": "x", "body": "x", "comment": "x"}).status_code,
        client.post(url, {"version": 1}, headers=HTMX).status_code,
    ]
    # 405 answers a method the view never accepts, before anything is looked up; every other answer is 404.
    assert set(answers) <= {404, 405}
    assert 404 in answers
    assert AuditEvent.objects.count() == events_before


def test_an_outsider_cannot_point_the_catalogue_at_another_projects_assessment(assessment, outsider, client_for):
    response = client_for(outsider).get(reverse("catalogue"), {"assessment": assessment.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), SCOPED)
def test_anonymous_visitors_are_sent_to_sign_in(name, kwargs, objects, client):
    url = reverse(name, kwargs={k: objects[k] for k in kwargs})
    events_before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
    else:
        # A POST-only view: the write itself must send the visitor to sign in, not run.
        data = {"version": 1, "title": "x", "body": "x", "comment": "x", "role": "owner", "status": "verified"}
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
        # htmx would swap a redirected login page into the fragment; it is told to navigate instead.
        response = client.post(url, data, headers={**HTMX, "HX-Current-URL": "http://testserver/somewhere/"})
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(f"{reverse('login')}?next=")
        assert response.content == b""
    assert AuditEvent.objects.count() == events_before


def test_an_anonymous_htmx_request_is_told_to_go_to_the_sign_in_page(assessment, client):
    response = client.get(reverse("register", args=[assessment.pk]), headers={**HTMX, "HX-Current-URL": "/x/"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def _viewer_writes(o):
    """Every write a viewer might attempt, with input that would be valid for a contributor."""
    rating = {"inherent_likelihood": 2, "inherent_severity": 2, "residual_likelihood": 1, "residual_severity": 1}
    scenario_fields = {"title": "Changed", "category": "security", "treatment": "mitigate", **rating, "version": 1}
    consequence = {"description": "x", "harm_type": "technical", "affected_party": "end_users", "severity": 2}
    return [
        ("hazard_add", {"assessment_id": o["assessment_id"]}, {"title": "New", "category": "security", **rating}),
        ("hazard_row_edit", {"hazard_id": o["hazard_id"]}, scenario_fields),
        ("hazard_edit", {"hazard_id": o["hazard_id"]}, scenario_fields),
        ("hazard_delete", {"hazard_id": o["hazard_id"]}, {"version": 1}),
        ("consequence_add", {"hazard_id": o["hazard_id"]}, consequence),
        ("consequence_edit", {"consequence_id": o["consequence_id"]}, {**consequence, "version": 1}),
        ("consequence_delete", {"consequence_id": o["consequence_id"]}, {"version": 1}),
        ("hazard_mitigation_create", {"hazard_id": o["hazard_id"]}, {"title": "M", "kind": "process_control"}),
        ("hazard_mitigation_link", {"hazard_id": o["hazard_id"]}, {"mitigation": "M-001"}),
        ("hazard_mitigation_unlink", {"hazard_id": o["hazard_id"], "mitigation_id": o["mitigation_id"]}, {}),
        ("acceptance_grant", {"hazard_id": o["hazard_id"]}, {"rationale": "ok", "expires_on": "2099-01-01"}),
        ("acceptance_revoke", {"acceptance_id": o["acceptance_id"]}, {"reason": "no", "version": 1}),
        ("mitigation_status", {"mitigation_id": o["mitigation_id"]}, {"status": "verified", "version": 1}),
        (
            "mitigation_detail",
            {"mitigation_id": o["mitigation_id"]},
            {"title": "M", "kind": "process_control", "status": "planned", "version": 1},
        ),
        ("mitigation_delete", {"mitigation_id": o["mitigation_id"]}, {"version": 1}),
        ("catalogue_add", {"assessment_id": o["assessment_id"]}, {"templates": ["SEC-01"]}),
        ("assessment_comments", {"assessment_id": o["assessment_id"]}, {"body": "hello"}),
        ("hazard_comments", {"hazard_id": o["hazard_id"]}, {"body": "hello"}),
        ("assessment_context_edit", {"assessment_id": o["assessment_id"]}, {"title": "T", "version": 1}),
        ("assessment_submit", {"assessment_id": o["assessment_id"]}, {"version": 1}),
        ("assessment_archive", {"assessment_id": o["assessment_id"]}, {"version": 1}),
        ("assessment_create", {"project_id": o["project_id"]}, {"title": "Another"}),
        ("member_add", {"project_id": o["project_id"]}, {"username": "mallory", "role": "viewer"}),
        ("member_change_role", {"membership_id": o["membership_id"]}, {"role": "owner", "version": 1}),
        ("member_remove", {"membership_id": o["membership_id"]}, {}),
        ("project_settings", {"project_id": o["project_id"]}, {"form": "settings", "name": "X", "version": 1}),
        ("assessment_matrix", {"assessment_id": o["assessment_id"]}, {"source": "iec_61508", "version": 1}),
        ("hazard_attachment_link", {"hazard_id": o["hazard_id"]}, {"url": "https://example.com/report"}),
        ("mitigation_attachment_link", {"mitigation_id": o["mitigation_id"]}, {"url": "https://example.com/report"}),
        ("hazard_attachment_upload", {"hazard_id": o["hazard_id"]}, {"file": attachment_files.upload("a.pdf", PDF)}),
        (
            "mitigation_attachment_upload",
            {"mitigation_id": o["mitigation_id"]},
            {"file": attachment_files.upload("a.pdf", PDF)},
        ),
        ("attachment_remove", {"attachment_id": o["attachment_id"]}, {"confirm": "yes"}),
    ]


ID_KWARGS = (
    "attachment_id",
    "assessment_id",
    "hazard_id",
    "consequence_id",
    "mitigation_id",
    "acceptance_id",
    "project_id",
    "membership_id",
)
WRITE_NAMES = [name for name, _, _ in _viewer_writes(dict.fromkeys(ID_KWARGS, 1))]


@pytest.mark.parametrize("name", WRITE_NAMES)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_viewer_is_refused_every_write_and_nothing_changes(name, htmx, objects, viewer, outsider, client_for):
    (kwargs, data) = next((k, d) for n, k, d in _viewer_writes(objects) if n == name)
    events_before = AuditEvent.objects.count()
    consequences_before = Consequence.objects.count()
    response = client_for(viewer).post(reverse(name, kwargs=kwargs), data, headers=HTMX if htmx else {})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == events_before
    assert Consequence.objects.count() == consequences_before
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("hazard_add", "assessment_id"),
        ("hazard_row_edit", "hazard_id"),
        ("hazard_edit", "hazard_id"),
        ("consequence_edit", "consequence_id"),
        ("assessment_context_edit", "assessment_id"),
        ("project_settings", "project_id"),
    ],
)
def test_a_viewer_does_not_even_get_the_edit_forms(name, key, objects, viewer, client_for):
    response = client_for(viewer).get(reverse(name, kwargs={key: objects[key]}), headers=HTMX)
    assert response.status_code == 403
