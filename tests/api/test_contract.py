"""The contract's edges: every answer under /api/ is the JSON error shape, and the rules the schema declares for
`updated_since`, `cursor` and `Idempotency-Key` are exactly the ones the server applies."""

import re

import pytest

from assessments.models import Assessment
from assessments.rest import conditional, idempotency, pagination
from assessments.rest.schema import NO_NUL_PATTERN


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/assessments/{}/"),
        ("get", "/api/v1/assessments/{}/diff/"),
        ("get", "/api/v1/webhooks/{}/"),
        ("patch", "/api/v1/hazards/{}/"),
    ],
)
@pytest.mark.parametrize("bad_id", ["abc", "1.5", "1%0A", "%0A", "-1", "1" * 19])
def test_a_non_numeric_id_is_a_json_404(world, owner, api_client_for, method, path, bad_id):
    response = getattr(api_client_for(owner), method)(path.format(bad_id), {}, format="json")
    _assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize("method", ["get", "post", "patch", "put", "delete"])
def test_an_unknown_api_path_is_a_json_404(owner, api_client_for, method):
    _assert_error_shape(getattr(api_client_for(owner), method)("/api/v1/nope/"), 404, "not_found")


def test_an_unknown_path_outside_the_api_is_still_djangos_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_method_an_endpoint_does_not_offer_is_a_json_405(world, owner, api_client_for):
    response = api_client_for(owner).delete(f"/api/v1/events/{world.event.pk}/")
    _assert_error_shape(response, 405, "method_not_allowed")


def test_a_request_django_refuses_before_any_view_is_a_json_400_under_the_api(db, client):
    _assert_error_shape(client.get("/api/v1/projects/", HTTP_HOST="evil.example"), 400, "bad_request")


@pytest.mark.parametrize("value", ["garbage", "", "2026-01-31", "2026-01-31T12:00:00", "2026-13-01T00:00:00Z"])
def test_updated_since_that_is_not_an_rfc_3339_date_time_is_a_400_naming_it(owner, api_client_for, value):
    response = api_client_for(owner).get("/api/v1/projects/", {"updated_since": value})
    body = _assert_error_shape(response, 400, "invalid_parameter")
    assert list(body["errors"]) == ["updated_since"]


@pytest.mark.parametrize(
    "value", ["2026-01-31T12:00:00Z", "2026-01-31t12:00:00.123456789+05:30", "2026-01-31T12:00:00z"]
)
def test_updated_since_takes_every_rfc_3339_date_time(owner, api_client_for, value):
    assert api_client_for(owner).get("/api/v1/projects/", {"updated_since": value}).status_code == 200


def test_every_cursor_of_the_declared_shape_is_a_position_and_others_are_400s(world, owner, api_client_for):
    client = api_client_for(owner)
    first = client.get("/api/v1/events/", {"page_size": 1}).json()
    cursor = re.search(r"cursor=([^&]+)", first["next"]).group(1)
    assert re.fullmatch(pagination.CURSOR_PATTERN, cursor)
    assert client.get("/api/v1/events/", {"cursor": cursor, "page_size": 1}).json()["results"]
    assert client.get("/api/v1/events/", {"cursor": "9" * 16 + ".1." + "9" * 16}).status_code == 200
    for bad in ["", "not-a-cursor", "1.2", "1.2.3.4", "1" * 17 + ".1.1"]:
        body = _assert_error_shape(client.get("/api/v1/events/", {"cursor": bad}), 400, "invalid_cursor")
        assert list(body["errors"]) == ["cursor"]


def _create(client, assessment, key):
    return client.post(
        "/api/v1/hazards/", {"assessment": assessment.pk, "title": "Keyed"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.parametrize("key", ["", " ", " padded", "padded ", "k" * 256, "clé", "tab\there"])
def test_an_idempotency_key_outside_the_declared_pattern_is_a_400(world, contributor, api_client_for, key):
    assert re.fullmatch(idempotency.KEY_PATTERN, key) is None
    body = _assert_error_shape(
        _create(api_client_for(contributor), world.assessment, key), 400, "invalid_idempotency_key"
    )
    assert list(body["errors"]) == ["Idempotency-Key"]


@pytest.mark.parametrize("key", ["k", "a b", "~" * 255, "3f2b9c1e-uuid-like-0001", "!*#"])
def test_an_idempotency_key_matching_the_declared_pattern_is_taken(world, contributor, api_client_for, key):
    assert re.fullmatch(idempotency.KEY_PATTERN, key)
    assert _create(api_client_for(contributor), world.assessment, key).status_code == 201


def test_the_schema_declares_the_rules_the_server_applies(anonymous_client, db):
    spec = anonymous_client.get("/api/v1/schema/?format=json").json()
    post = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/hazards/"]["post"]["parameters"]}
    assert post["Idempotency-Key"]["pattern"] == idempotency.KEY_PATTERN
    assert post["Idempotency-Key"]["maxLength"] == idempotency.MAX_KEY_LENGTH
    patch = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/hazards/{id}/"]["patch"]["parameters"]}
    assert patch["If-Match"]["pattern"] == conditional.IF_MATCH_PATTERN
    listing = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/hazards/"]["get"]["parameters"]}
    assert listing["cursor"]["pattern"] == pagination.CURSOR_PATTERN
    assert listing["updated_since"]["format"] == "date-time"
    diff = spec["paths"]["/api/v1/assessments/{id}/diff/"]["get"]["responses"]
    assert {"400", "404", "409"} <= set(diff)


def test_every_text_filter_the_schema_says_refuses_nul_answers_400_naming_it(world, owner, api_client_for):
    spec = api_client_for(owner).get("/api/v1/schema/?format=json").json()
    client = api_client_for(owner)
    checked = []
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []) if "{" not in path else ():
            if parameter["in"] == "query" and parameter["schema"].get("pattern") == NO_NUL_PATTERN:
                body = _assert_error_shape(client.get(path, {parameter["name"]: "a\x00b"}), 400, "invalid")
                assert parameter["name"] in body["errors"], (path, body)
                checked.append((path, parameter["name"]))
    assert len(checked) >= 8, checked


def test_a_diff_of_a_first_revision_without_against_is_a_409(world, owner, api_client_for):
    assert Assessment.objects.get(pk=world.assessment.pk).previous_id is None
    response = api_client_for(owner).get(f"/api/v1/assessments/{world.assessment.pk}/diff/")
    _assert_error_shape(response, 409, "no_previous_revision")


@pytest.mark.parametrize("description", [12, 1.5e16, True, ["text"], {"text": "x"}])
def test_a_number_or_other_json_value_where_the_schema_says_string_is_a_400_naming_the_field(
    world, owner, api_client_for, description
):
    before = world.hazard.description
    response = api_client_for(owner).patch(
        f"/api/v1/hazards/{world.hazard.pk}/", {"description": description}, format="json", HTTP_IF_MATCH="*"
    )
    body = _assert_error_shape(response, 400, "invalid")
    assert list(body["errors"]) == ["description"]
    world.hazard.refresh_from_db()
    assert world.hazard.description == before


def test_a_generated_text_field_of_a_model_serializer_is_as_strict_as_a_declared_one(owner, api_client_for, db):
    response = api_client_for(owner).post(
        "/api/v1/projects/", {"name": "Strict", "description": 17, "matrix_preset": "mil_std_882e"}, format="json"
    )
    body = _assert_error_shape(response, 400, "invalid")
    assert "description" in body["errors"]
