"""What each resource does through the API: the same services as the browser, audited as `api`."""

import datetime

from assessments.models import AuditEvent, Membership, Notification
from assessments.services import workflow
from hazards.models import HazardScenario, Mitigation, RiskAcceptance


def test_api_writes_are_audited_as_coming_through_the_api(world, contributor, api_client_for):
    api_client_for(contributor).patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "Renamed"}, format="json")
    event = AuditEvent.objects.filter(action="hazard.updated").latest("id")
    assert (event.via, event.actor, event.changes["title"][1]) == ("api", contributor, "Renamed")


def test_creating_a_project_makes_the_caller_its_owner(outsider, api_client_for):
    response = api_client_for(outsider).post(
        "/api/v1/projects/", {"name": "Agents", "matrix_preset": "mil_std_882e"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["my_role"] == "owner" and body["matrix"]["preset"] == "mil_std_882e"
    assert Membership.objects.get(project_id=body["id"], user=outsider).role == "owner"


def test_owners_add_change_and_remove_members_by_username(world, owner, api_client_for):
    from tests.factories import UserFactory

    UserFactory(username="newbie")
    client = api_client_for(owner)
    added = client.post(
        "/api/v1/memberships/", {"project": world.project.pk, "user": "newbie", "role": "viewer"}, format="json"
    )
    assert added.status_code == 201 and added.json()["user"] == "newbie"
    changed = client.patch(
        f"/api/v1/memberships/{added.json()['id']}/", {"role": "reviewer"}, format="json", HTTP_IF_MATCH=added["ETag"]
    )
    assert changed.json()["role"] == "reviewer"
    assert client.delete(f"/api/v1/memberships/{added.json()['id']}/").status_code == 204
    assert not Membership.objects.filter(user__username="newbie").exists()


def test_an_unknown_username_gets_the_same_answer_as_a_non_member(world, owner, api_client_for):
    response = api_client_for(owner).post(
        "/api/v1/memberships/", {"project": world.project.pk, "user": "nobody-here", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["user"] == ["nobody-here is not a member of this project."]


def test_an_assessment_goes_from_draft_to_approved_to_its_next_revision(
    world, contributor, approver, approver2, api_client_for
):
    alice, carol = api_client_for(contributor), api_client_for(approver)
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    options = {o["name"]: o for o in alice.get(f"{url}transitions/").json()}
    assert options["submit"]["enabled"] is True
    submitted = alice.post(f"{url}submit/")
    assert submitted.json()["status"] == "in_review"
    content_hash = submitted.json()["content_hash"]
    approved = carol.post(f"{url}approve/", {"seen_hash": content_hash, "comment": "Fine"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    revision = alice.post(f"{url}start-revision/")
    assert revision.status_code == 201
    assert (revision.json()["revision"], revision.json()["previous"], revision.json()["status"]) == (
        2,
        world.assessment.pk,
        "draft",
    )
    assert revision["ETag"] == f'"{revision.json()["id"]}-1"'
    lineage = alice.get("/api/v1/assessments/", {"lineage": revision.json()["lineage"]}).json()["results"]
    assert sorted(a["revision"] for a in lineage) == [1, 2]


def test_approving_content_that_moved_on_is_refused(world, contributor, approver, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    response = api_client_for(approver).post(
        f"/api/v1/assessments/{world.assessment.pk}/approve/", {"seen_hash": "0" * 64}, format="json"
    )
    assert response.status_code == 409
    world.assessment.refresh_from_db()
    assert world.assessment.status == "in_review"


def test_request_changes_needs_a_comment(world, contributor, reviewer, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    response = api_client_for(reviewer).post(
        f"/api/v1/assessments/{world.assessment.pk}/request-changes/", {}, format="json"
    )
    assert response.status_code == 400 and "comment" in response.json()["errors"]


def test_a_mitigation_is_found_and_updated_by_its_ticket(world, contributor, api_client_for):
    client = api_client_for(contributor)
    found = client.get("/api/v1/mitigations/by-ticket/", {"external_system": "jira", "external_key": "SEC-1"})
    assert found.status_code == 200 and found.json()["id"] == world.mitigation.pk
    updated = client.patch(
        "/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-1",
        {"status": "implemented", "external_url": "https://jira.example.com/browse/SEC-1"},
        format="json",
        HTTP_IF_MATCH=found["ETag"],
    )
    assert updated.status_code == 200
    mitigation = Mitigation.objects.get(pk=world.mitigation.pk)
    assert (mitigation.status, mitigation.version) == ("implemented", 2)
    assert client.get("/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-404").status_code == 404
    assert client.get("/api/v1/mitigations/by-ticket/?external_system=jira").status_code == 400


def test_a_ticket_copied_into_a_new_revision_needs_the_assessment_named(world, contributor, approver, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=world.assessment.pk, by=approver)
    revision = workflow.assessment_start_revision(assessment_id=world.assessment.pk, by=contributor)
    client = api_client_for(contributor)
    ambiguous = client.get("/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-1")
    assert ambiguous.status_code == 409 and ambiguous.json()["code"] == "ambiguous_ticket"
    named = client.get(
        f"/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-1&assessment={revision.pk}"
    )
    assert named.json()["assessment"] == revision.pk


def test_progress_is_tracked_after_approval_but_content_is_frozen(world, contributor, approver, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=world.assessment.pk, by=approver)
    client = api_client_for(contributor)
    url = f"/api/v1/mitigations/{world.mitigation.pk}/"
    tracked = client.patch(url, {"status": "verified", "verification_note": "Rule fires in CI"}, format="json")
    assert tracked.status_code == 200
    assert (tracked.json()["status"], tracked.json()["verification_note"]) == ("verified", "Rule fires in CI")
    stored = Mitigation.objects.get(pk=world.mitigation.pk)
    assert (stored.status, stored.verification_note, stored.version) == ("verified", "Rule fires in CI", 2)
    title = stored.title
    frozen = client.patch(url, {"title": "Rewritten"}, format="json")
    assert frozen.status_code == 409 and frozen.json()["code"] == "content_frozen"
    mixed = client.patch(url, {"title": "Rewritten", "status": "implemented"}, format="json")
    assert mixed.status_code == 409 and mixed.json()["code"] == "content_frozen"
    stored = Mitigation.objects.get(pk=world.mitigation.pk)
    assert (stored.title, stored.status, stored.version) == (title, "verified", 2)
    assert client.get(url).json()["title"] == title != "Rewritten"


def test_patching_hazards_replaces_a_mitigations_links_in_one_version(world, contributor, api_client_for):
    from tests.factories import make_hazard

    other = make_hazard(world.assessment, contributor, title="Secrets in prompts")
    response = api_client_for(contributor).patch(
        f"/api/v1/mitigations/{world.mitigation.pk}/",
        {"hazards": [other.pk], "status": "planned"},
        format="json",
        HTTP_IF_MATCH=f'"{world.mitigation.pk}-1"',
    )
    assert response.status_code == 200
    assert response.json()["hazards"] == [other.pk]
    assert response.json()["status"] == "planned"


def test_lists_filter_by_project_assessment_status_owner_and_ticket(world, contributor, api_client_for):
    from hazards import services

    services.mitigation_update(
        mitigation_id=world.mitigation.pk, by=contributor, expected_version=None, owner=contributor, status="planned"
    )
    client = api_client_for(contributor)

    def ids(query):
        return [m["id"] for m in client.get("/api/v1/mitigations/", query).json()["results"]]

    assert ids({"status": "planned", "owner": "alice"}) == [world.mitigation.pk]
    assert ids({"external_system": "jira", "external_key": "SEC-1"}) == [world.mitigation.pk]
    assert ids({"assessment": world.assessment.pk, "hazard": world.hazard.pk}) == [world.mitigation.pk]
    assert ids({"status": "verified"}) == []
    assert ids({"owner": "nobody"}) == []
    assert ids({"project": world.project.pk + 1000}) == []
    hazards = client.get("/api/v1/hazards/", {"risk_level": world.hazard.residual_level}).json()["results"]
    assert [h["id"] for h in hazards] == [world.hazard.pk]


def test_deleting_a_hazard_is_visible_to_sync_clients_in_the_events_and_on_its_mitigations(
    world, contributor, api_client_for
):
    client = api_client_for(contributor)
    since = client.get("/api/v1/mitigations/").json()["next_updated_since"]
    assert client.delete(f"/api/v1/hazards/{world.hazard.pk}/").status_code == 204
    deletions = client.get("/api/v1/events/", {"action": "hazard.deleted,mitigation.deleted"}).json()["results"]
    assert [(e["object_type"], e["object_id"], e["object_ref"]) for e in deletions] == [
        ("hazard", world.hazard.pk, world.hazard.ref)
    ]
    changed = client.get("/api/v1/mitigations/", {"updated_since": since}).json()["results"]
    assert [(m["id"], m["hazards"], m["version"]) for m in changed] == [(world.mitigation.pk, [], 2)]


def test_templates_are_instantiated_into_a_draft(world, contributor, api_client_for):
    response = api_client_for(contributor).post(
        "/api/v1/catalogue/instantiate/", {"assessment": world.assessment.pk, "templates": ["SEC-01"]}, format="json"
    )
    assert response.status_code == 201
    (hazard,) = response.json()
    assert hazard["source_template"] == "SEC-01" and hazard["ref"] == "H-002"
    assert HazardScenario.objects.get(pk=hazard["id"]).consequences.count() == 2
    unknown = api_client_for(contributor).post(
        "/api/v1/catalogue/instantiate/", {"assessment": world.assessment.pk, "templates": ["NOPE-1"]}, format="json"
    )
    assert unknown.status_code == 400 and "templates" in unknown.json()["errors"]


def test_the_catalogue_is_browsable_and_filterable(world, contributor, api_client_for):
    client = api_client_for(contributor)
    assert client.get("/api/v1/catalogue/SEC-01/").json()["area"] == "security"
    assert [t["key"] for t in client.get("/api/v1/catalogue/", {"area": "security"}).json()["results"]] == ["SEC-01"]
    assert client.get("/api/v1/catalogue/", {"area": "economic"}).json()["results"] == []


def test_approvers_grant_and_revoke_acceptances(world, approver, api_client_for):
    client = api_client_for(approver)
    expires = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    granted = client.post(
        "/api/v1/risk-acceptances/",
        {"hazard": world.hazard.pk, "rationale": "Limited rollout", "expires_on": expires},
        format="json",
    )
    assert granted.status_code == 201 and granted.json()["active"] is True
    revoked = client.post(
        f"/api/v1/risk-acceptances/{granted.json()['id']}/revoke/",
        {"reason": "Rollout widened"},
        format="json",
        HTTP_IF_MATCH=granted["ETag"],
    )
    assert revoked.json()["active"] is False and revoked.json()["revoked_by"] == "carol"
    active = client.get("/api/v1/risk-acceptances/", {"active": "true"}).json()["results"]
    assert [a["id"] for a in active] == [world.acceptance.pk]
    assert RiskAcceptance.objects.get(pk=granted.json()["id"]).revoke_reason == "Rollout widened"


def test_comments_mention_and_notify_members(world, contributor, reviewer, api_client_for):
    response = api_client_for(contributor).post(
        "/api/v1/comments/",
        {"assessment": world.assessment.pk, "hazard": world.hazard.pk, "body": "@bob can you rate this?"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["mentions"] == ["bob"] and response.json()["hazard"] == world.hazard.pk
    assert Notification.objects.filter(recipient=reviewer, kind="mention").count() == 2


def test_the_diff_of_a_revision_shows_what_changed_since_the_previous_one(world, contributor, approver, api_client_for):
    from hazards import services

    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=world.assessment.pk, by=approver)
    revision = workflow.assessment_start_revision(assessment_id=world.assessment.pk, by=contributor)
    copied = revision.scenarios.get(ref="H-001")
    services.hazard_update(hazard_id=copied.pk, by=contributor, expected_version=None, residual_likelihood=1)
    services.hazard_create(assessment_id=revision.pk, by=contributor, title="Agent deletes a branch")
    client = api_client_for(contributor)

    body = client.get(f"/api/v1/assessments/{revision.pk}/diff/").json()

    assert body["schema"] == "hazlog.diff/1"
    assert (body["from"]["assessment_id"], body["from"]["source"]) == (world.assessment.pk, "approved_snapshot")
    assert (body["to"]["assessment_id"], body["to"]["source"]) == (revision.pk, "live")
    assert [s["ref"] for s in body["scenarios"]["added"]] == ["H-002"]
    assert body["scenarios"]["changed"][0]["residual"]["direction"] == "down"
    same = client.get(f"/api/v1/assessments/{world.assessment.pk}/diff/", {"against": revision.pk}).json()
    assert same["summary"] == body["summary"]
    first = client.get(f"/api/v1/assessments/{world.assessment.pk}/diff/")
    assert first.status_code == 409 and first.json()["code"] == "no_previous_revision"
    unknown = client.get(f"/api/v1/assessments/{world.assessment.pk}/diff/", {"against": 10**12})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_verification_recomputes_the_signed_hashes(world, contributor, approver, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=world.assessment.pk, by=approver)
    body = api_client_for(contributor).get(f"/api/v1/assessments/{world.assessment.pk}/verification/").json()
    assert body["approved"]["intact"] is True and body["approved"]["matches_live"] is True
    assert body["counting_approvals"] == body["required_approvals"] == 1
    assert body["approvals"][0]["approver"] == "carol"
