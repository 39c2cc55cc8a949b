"""The scenario page: ratings explained, consequences, mitigations, risk acceptance, comments and history."""

import datetime

from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent, Notification
from hazards import services
from hazards.models import Comment, Consequence, HazardScenario, Mitigation, MitigationKind, RiskAcceptance
from tests.factories import make_hazard
from tests.webtools import HTMX


def section(html: str, section_id: str) -> str:
    return html.split(f'<section id="{section_id}"', 1)[1].split("</section>", 1)[0]


def test_the_page_explains_each_rating_with_the_matrix_levels(assessment, contributor, client_for):
    scenario = make_hazard(
        assessment, contributor, inherent_likelihood=4, inherent_severity=4, residual_likelihood=2, residual_severity=3
    )
    html = client_for(contributor).get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    ratings = section(html, "ratings")
    assert "4 · Probable" in ratings and "4 · Critical" in ratings
    assert "Expected to happen repeatedly in normal use." in ratings
    assert "High" in ratings and "Accountable executive signs off" in ratings
    assert "Medium" in ratings


def test_adding_a_consequence_updates_the_section_and_the_scenarios_default_severity(
    assessment, contributor, client_for
):
    scenario = make_hazard(assessment, contributor, inherent_likelihood=3, inherent_severity=None)
    response = client_for(contributor).post(
        reverse("consequence_add", args=[scenario.pk]),
        {"description": "Customer data leaks", "harm_type": "security", "affected_party": "end_users", "severity": 4},
        headers=HTMX,
    )
    scenario.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Customer data leaks" in section(html, "consequences")
    assert scenario.inherent_severity == 4  # the worst consequence rates an unrated severity
    assert "4 · Critical" in section(html, "ratings")
    assert AuditEvent.objects.filter(action="consequence.created", actor=contributor).exists()


def test_a_consequence_with_bad_input_is_not_saved_and_errors_show_by_the_fields(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    response = client_for(contributor).post(
        reverse("consequence_add", args=[scenario.pk]),
        {"description": "", "harm_type": "nonsense", "affected_party": "end_users", "severity": 9},
        headers=HTMX,
    )
    consequences = section(response.content.decode(), "consequences")
    assert response.status_code == 200
    assert 'id="cq_description_error"' in consequences
    assert 'id="cq_harm_type_error"' in consequences
    assert 'id="cq_severity_error"' in consequences
    assert not Consequence.objects.exists()


def test_editing_a_consequence_in_place_and_a_stale_edit_conflicts(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor)
    consequence = services.consequence_create(
        hazard_id=scenario.pk,
        by=contributor,
        description="Old",
        harm_type="technical",
        affected_party="developers",
        severity=2,
    )
    client = client_for(contributor)
    form = client.get(reverse("consequence_edit", args=[consequence.pk]), headers=HTMX).content.decode()
    assert 'class="editing"' in section(form, "consequences")
    data = {"description": "New", "harm_type": "legal", "affected_party": "organisation", "severity": 3, "version": 1}
    services.consequence_update(consequence_id=consequence.pk, by=reviewer, expected_version=1, description="Bob's")
    conflict = client.post(reverse("consequence_edit", args=[consequence.pk]), data, headers=HTMX).content.decode()
    consequence.refresh_from_db()
    assert consequence.description == "Bob's"
    assert "Not saved" in section(conflict, "consequences")
    client.post(reverse("consequence_edit", args=[consequence.pk]), {**data, "version": 2}, headers=HTMX)
    consequence.refresh_from_db()
    assert (consequence.description, consequence.harm_type, consequence.version) == ("New", "legal", 3)


def test_removing_a_consequence(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    consequence = services.consequence_create(
        hazard_id=scenario.pk,
        by=contributor,
        description="Gone soon",
        harm_type="technical",
        affected_party="developers",
        severity=2,
    )
    response = client_for(contributor).post(
        reverse("consequence_delete", args=[consequence.pk]), {"version": consequence.version}
    )
    assert response.status_code == 302
    assert not Consequence.objects.filter(pk=consequence.pk).exists()


def test_creating_a_mitigation_for_the_scenario_links_it(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor)
    response = client_for(contributor).post(
        reverse("hazard_mitigation_create", args=[scenario.pk]),
        {"title": "Pin dependencies", "kind": "technical_control", "status": "planned", "owner": reviewer.pk},
        headers=HTMX,
    )
    mitigation = Mitigation.objects.get()
    assert response.status_code == 200
    assert list(mitigation.scenarios.all()) == [scenario]
    assert (mitigation.ref, mitigation.owner, mitigation.status) == ("M-001", reviewer, "planned")
    assert "Pin dependencies" in section(response.content.decode(), "scenario-mitigations")


def test_linking_an_existing_mitigation_by_ref_and_unlinking_it(assessment, contributor, client_for):
    first = make_hazard(assessment, contributor)
    second = make_hazard(assessment, contributor)
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Shared control",
        kind=MitigationKind.PROCESS_CONTROL,
        hazard_ids=[first.pk],
    )
    client = client_for(contributor)
    page = client.get(reverse("hazard_detail", args=[second.pk])).content.decode()
    assert '<option value="M-001">M-001 Shared control</option>' in page
    client.post(reverse("hazard_mitigation_link", args=[second.pk]), {"mitigation": "m-001"}, headers=HTMX)
    assert set(mitigation.scenarios.all()) == {first, second}
    missing = client.post(reverse("hazard_mitigation_link", args=[second.pk]), {"mitigation": "M-999"}, headers=HTMX)
    assert "No mitigation “M-999” in this assessment." in missing.content.decode()
    client.post(reverse("hazard_mitigation_unlink", args=[second.pk, mitigation.pk]), headers=HTMX)
    assert list(mitigation.scenarios.all()) == [first]


def test_an_approver_accepts_the_residual_risk_within_the_projects_limit(assessment, contributor, approver, client_for):
    scenario = make_hazard(assessment, contributor)
    client = client_for(approver)
    too_long = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    refused = client.post(
        reverse("acceptance_grant", args=[scenario.pk]), {"rationale": "ok", "expires_on": too_long}, headers=HTMX
    )
    assert "at most 365 days" in section(refused.content.decode(), "acceptance")
    assert not RiskAcceptance.objects.exists()
    expires = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    response = client.post(
        reverse("acceptance_grant", args=[scenario.pk]),
        {"rationale": "Pilot with 20 users", "conditions": "Review weekly", "expires_on": expires},
        headers=HTMX,
    )
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.accepted_by == approver
    assert "valid until" in section(response.content.decode(), "acceptance")


def test_a_contributor_is_not_offered_risk_acceptance(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    html = client_for(contributor).get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert "Accept the residual risk" not in html


def test_expired_and_revoked_acceptances_are_shown_as_such(assessment, contributor, approver, client_for):
    scenario = make_hazard(assessment, contributor)
    expired = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="Old decision",
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    RiskAcceptance.objects.filter(pk=expired.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    valid = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="Current decision",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = client_for(approver)
    html = section(client.get(reverse("hazard_detail", args=[scenario.pk])).content.decode(), "acceptance")
    assert "expired on" in html and "no longer counts" in html
    assert "valid until" in html
    client.post(
        reverse("acceptance_revoke", args=[valid.pk]), {"reason": "Scope grew", "version": valid.version}, headers=HTMX
    )
    valid.refresh_from_db()
    assert valid.revoked_by == approver
    html = section(client.get(reverse("hazard_detail", args=[scenario.pk])).content.decode(), "acceptance")
    assert "Revoked by carol" in html and "Scope grew" in html


def test_a_comment_with_a_mention_notifies_the_member(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor)
    response = client_for(contributor).post(
        reverse("hazard_comments", args=[scenario.pk]), {"body": "@bob can you check the ratings?"}, headers=HTMX
    )
    comment = Comment.objects.get()
    assert comment.scenario == scenario
    assert '<span class="mention">@bob</span>' in response.content.decode()
    notification = Notification.objects.get(recipient=reviewer)
    assert notification.url == f"/hazards/{scenario.pk}/#comment-{comment.pk}"


def test_the_history_lists_the_changes_to_this_scenario(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor, title="First")
    services.hazard_update(hazard_id=scenario.pk, by=reviewer, expected_version=scenario.version, title="Second")
    history = section(
        client_for(contributor).get(reverse("hazard_detail", args=[scenario.pk])).content.decode(), "history"
    )
    assert "bob" in history and "changed scenario" in history
    assert "First" in history and "Second" in history


def test_the_full_edit_form_saves_every_field_and_a_stale_save_conflicts(assessment, contributor, reviewer, client_for):
    scenario = make_hazard(assessment, contributor)
    client = client_for(contributor)
    assert client.get(reverse("hazard_edit", args=[scenario.pk])).status_code == 200
    data = {
        "title": "Edited",
        "description": "Longer text",
        "category": "security",
        "causes": "- a cause",
        "affected_parties": "Developers",
        "inherent_likelihood": 3,
        "inherent_severity": 3,
        "residual_likelihood": "",
        "residual_severity": "",
        "treatment": "transfer",
        "owner": reviewer.pk,
        "version": scenario.version,
    }
    response = client.post(reverse("hazard_edit", args=[scenario.pk]), data)
    scenario.refresh_from_db()
    assert response.status_code == 302
    assert (scenario.description, scenario.treatment, scenario.owner, scenario.residual_likelihood) == (
        "Longer text",
        "transfer",
        reviewer,
        None,
    )
    stale = client.post(reverse("hazard_edit", args=[scenario.pk]), {**data, "title": "Stale"})
    assert stale.status_code == 409
    assert HazardScenario.objects.get(pk=scenario.pk).title == "Edited"


def test_deleting_a_scenario_returns_to_the_register(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    response = client_for(contributor).post(reverse("hazard_delete", args=[scenario.pk]), {"version": scenario.version})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/#register"
    assert not HazardScenario.objects.filter(pk=scenario.pk).exists()
