"""One error shape everywhere ({detail, code, errors?}) with the status each kind of failure deserves."""

import pytest
from django.db import OperationalError

from assessments.rest.errors import api_exception_handler
from assessments.rest.throttling import AnonymousThrottle, TokenThrottle
from assessments.services import workflow


def test_missing_fields_are_a_400_with_messages_per_field(world, contributor, api_client_for):
    response = api_client_for(contributor).post("/api/v1/hazards/", {"assessment": world.assessment.pk}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["title"] == ["This field is required."]


def test_a_rule_of_the_service_is_a_400_on_the_field_it_concerns(world, contributor, api_client_for):
    response = api_client_for(contributor).patch(
        f"/api/v1/hazards/{world.hazard.pk}/", {"inherent_likelihood": 9}, format="json"
    )
    assert response.status_code == 400
    assert "between 1 and 5" in response.json()["errors"]["inherent_likelihood"][0]


def test_service_field_names_are_translated_to_the_api_names(project, world, contributor, api_client_for):
    from tests.factories import make_assessment, make_hazard

    elsewhere = make_hazard(make_assessment(project, contributor, title="Other"), contributor)
    response = api_client_for(contributor).post(
        "/api/v1/mitigations/",
        {"assessment": world.assessment.pk, "title": "X", "kind": "process_control", "hazards": [elsewhere.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "hazards" in response.json()["errors"]


def test_whole_object_problems_are_non_field_errors(world, owner, api_client_for):
    from assessments.models import Membership

    mine = Membership.objects.get(project=world.project, user=owner)
    response = api_client_for(owner).delete(f"/api/v1/memberships/{mine.pk}/")
    assert response.status_code == 400
    assert "at least one owner" in response.json()["errors"]["non_field_errors"][0]


def test_editing_frozen_content_is_a_409(world, contributor, api_client_for):
    workflow.assessment_submit(assessment_id=world.assessment.pk, by=contributor)
    response = api_client_for(contributor).patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "content_frozen"


def test_an_invalid_transition_is_a_409_that_says_why(world, approver, api_client_for):
    response = api_client_for(approver).post(f"/api/v1/assessments/{world.assessment.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition" and "draft" in body["detail"]


def test_a_missing_object_is_a_404_in_the_same_shape(contributor, api_client_for):
    response = api_client_for(contributor).get("/api/v1/hazards/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unsupported_method_and_body_type_get_their_codes(world, contributor, api_client_for):
    client = api_client_for(contributor)
    put = client.put(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "X"}, format="json")
    assert (put.status_code, put.json()["code"]) == (405, "method_not_allowed")
    form = client.post("/api/v1/hazards/", {"assessment": world.assessment.pk, "title": "X"})
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")


def test_a_token_over_its_rate_gets_429_with_retry_after_and_other_tokens_do_not(
    project, contributor, api_client_for, monkeypatch
):
    monkeypatch.setattr(TokenThrottle, "rate", "3/min", raising=False)
    busy, other = api_client_for(contributor), api_client_for(contributor)
    statuses = [busy.get("/api/v1/projects/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = busy.get("/api/v1/projects/")
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert other.get("/api/v1/projects/").status_code == 200


def test_anonymous_calls_are_throttled_per_address(db, anonymous_client, monkeypatch):
    monkeypatch.setattr(AnonymousThrottle, "rate", "2/min", raising=False)
    statuses = [anonymous_client.get("/api/v1/projects/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_a_database_outage_is_a_503_with_retry_after():
    response = api_exception_handler(OperationalError("connection refused"), {})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data["code"] == "service_unavailable"


@pytest.mark.parametrize("path", ["/api/v1/hazards/?category=weather", "/api/v1/events/?action=DROP TABLE"])
def test_an_invalid_filter_is_a_400_not_a_server_error(contributor, api_client_for, path):
    response = api_client_for(contributor).get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_guessing_tokens_is_throttled_like_any_anonymous_call(db, anonymous_client, monkeypatch):
    monkeypatch.setattr(AnonymousThrottle, "rate", "2/min", raising=False)
    anonymous_client.credentials(HTTP_AUTHORIZATION="Bearer hzl_guess")
    statuses = [anonymous_client.get("/api/v1/projects/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/hazards/abc/", "/api/v1/hazards"])
def test_a_path_that_names_no_endpoint_is_a_json_404(contributor, api_client_for, path):
    client = api_client_for(contributor)
    for response in (client.get(path), client.delete(path), client.patch(path, {}, format="json")):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_nul_byte_in_a_username_is_refused_not_a_server_error(world, contributor, api_client_for):
    response = api_client_for(contributor).patch(
        f"/api/v1/mitigations/{world.mitigation.pk}/", {"owner": "ali\x00ce"}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()["errors"]
