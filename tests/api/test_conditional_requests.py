"""No lost updates: ETags on every mutable resource, If-Match on writes, 412 with the current version."""

import pytest

from assessments.models import AuditEvent
from hazards.models import Consequence, HazardScenario, Mitigation


def _etag(obj) -> str:
    return f'"{obj.pk}-{obj.version}"'


def test_reads_and_writes_carry_the_etag_of_the_version_they_show(world, contributor, api_client_for):
    client = api_client_for(contributor)
    read = client.get(f"/api/v1/mitigations/{world.mitigation.pk}/")
    assert read["ETag"] == f'"{world.mitigation.pk}-1"'
    written = client.patch(
        f"/api/v1/mitigations/{world.mitigation.pk}/", {"status": "planned"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert written.status_code == 200
    assert written["ETag"] == f'"{world.mitigation.pk}-2"'
    assert written.json()["version"] == 2


def test_a_stale_if_match_gets_412_with_the_current_version_and_changes_nothing(
    world, contributor, reviewer, api_client_for
):
    alice, bob = api_client_for(contributor), api_client_for(reviewer)
    etag = alice.get(f"/api/v1/mitigations/{world.mitigation.pk}/")["ETag"]
    assert (
        bob.patch(
            f"/api/v1/mitigations/{world.mitigation.pk}/", {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    events_before = AuditEvent.objects.count()

    response = alice.patch(
        f"/api/v1/mitigations/{world.mitigation.pk}/",
        {"status": "rejected", "title": "Mine"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["current"]["status"] == "in_progress" and body["current"]["version"] == 2
    assert response["ETag"] == f'"{world.mitigation.pk}-2"'
    mitigation = Mitigation.objects.get(pk=world.mitigation.pk)
    assert (mitigation.status, mitigation.title, mitigation.version) == ("in_progress", "Static analysis in CI", 2)
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("path", "model"),
    [("hazards", HazardScenario), ("consequences", Consequence), ("mitigations", Mitigation)],
)
def test_a_stale_delete_is_refused_and_the_object_stays(world, contributor, api_client_for, path, model):
    obj = {"hazards": world.hazard, "consequences": world.consequence, "mitigations": world.mitigation}[path]
    response = api_client_for(contributor).delete(f"/api/v1/{path}/{obj.pk}/", HTTP_IF_MATCH=f'"{obj.pk}-99"')
    assert response.status_code == 412
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_current_if_match_deletes(world, contributor, api_client_for):
    response = api_client_for(contributor).delete(
        f"/api/v1/consequences/{world.consequence.pk}/", HTTP_IF_MATCH=_etag(world.consequence)
    )
    assert response.status_code == 204
    assert not Consequence.objects.filter(pk=world.consequence.pk).exists()


def test_the_etag_of_another_object_never_matches(world, contributor, api_client_for):
    other = f'"{world.hazard.pk + 1}-{world.hazard.version}"'
    response = api_client_for(contributor).patch(
        f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH=other
    )
    assert response.status_code == 412
    assert HazardScenario.objects.get(pk=world.hazard.pk).title != "X"


@pytest.mark.parametrize("header", ['W/"{pk}-{v}"', '"{pk}-{v}", "{pk}-99"', "*"])
def test_weak_listed_and_wildcard_if_match_forms_are_accepted(world, contributor, api_client_for, header):
    response = api_client_for(contributor).patch(
        f"/api/v1/hazards/{world.hazard.pk}/",
        {"title": "Accepted"},
        format="json",
        HTTP_IF_MATCH=header.format(pk=world.hazard.pk, v=world.hazard.version),
    )
    assert response.status_code == 200


def test_a_malformed_if_match_is_a_400_not_a_silent_overwrite(world, contributor, api_client_for):
    response = api_client_for(contributor).patch(
        f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH="version 1"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_precondition"
    assert HazardScenario.objects.get(pk=world.hazard.pk).title != "X"


def test_an_empty_if_match_is_a_400_not_an_unconditional_write(world, contributor, api_client_for):
    response = api_client_for(contributor).patch(
        f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH=""
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_precondition"
    assert HazardScenario.objects.get(pk=world.hazard.pk).title != "X"


def test_a_server_can_require_if_match_on_every_write(world, contributor, api_client_for, settings):
    settings.HAZLOG_API_REQUIRE_IF_MATCH = True
    client = api_client_for(contributor)
    refused = client.patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json")
    assert refused.status_code == 428
    assert refused.json()["code"] == "precondition_required"
    assert HazardScenario.objects.get(pk=world.hazard.pk).title != "X"
    etag = f'"{world.hazard.pk}-{world.hazard.version}"'
    ok = client.patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200


def test_without_if_match_the_write_applies_to_the_current_version(world, contributor, reviewer, api_client_for):
    api_client_for(reviewer).patch(f"/api/v1/hazards/{world.hazard.pk}/", {"causes": "A"}, format="json")
    response = api_client_for(contributor).patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "B"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == world.hazard.version + 2


def test_if_none_match_with_the_current_etag_gets_304(world, contributor, api_client_for):
    client = api_client_for(contributor)
    etag = client.get(f"/api/v1/hazards/{world.hazard.pk}/")["ETag"]
    fresh = client.get(f"/api/v1/hazards/{world.hazard.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 304 and fresh.content == b""
    client.patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "Changed"}, format="json")
    assert client.get(f"/api/v1/hazards/{world.hazard.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_workflow_action_with_a_stale_if_match_is_refused(world, contributor, api_client_for):
    client = api_client_for(contributor)
    etag = client.get(f"/api/v1/assessments/{world.assessment.pk}/")["ETag"]
    client.patch(f"/api/v1/assessments/{world.assessment.pk}/", {"scope": "Edited meanwhile"}, format="json")
    response = client.post(f"/api/v1/assessments/{world.assessment.pk}/submit/", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    world.assessment.refresh_from_db()
    assert world.assessment.status == "draft"


def test_a_stale_revoke_of_an_acceptance_is_refused(world, approver, api_client_for):
    response = api_client_for(approver).post(
        f"/api/v1/risk-acceptances/{world.acceptance.pk}/revoke/",
        {"reason": "No longer acceptable"},
        format="json",
        HTTP_IF_MATCH=f'"{world.acceptance.pk}-7"',
    )
    assert response.status_code == 412
    world.acceptance.refresh_from_db()
    assert world.acceptance.revoked_at is None
