"""API: the portfolio summary, scoped to the caller's projects, with the page's filters."""

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.services import hazard_update

pytestmark = pytest.mark.django_db


def test_the_summary_lists_only_the_callers_projects(api_client_for, owner, outsider, two_projects):
    body = api_client_for(owner).get("/api/v1/portfolio/").json()
    assert {a["title"] for a in body["assessments"]} == {"IDE rollout", "Agent pilot review"}
    assert body["status_counts"]["draft"] == 2
    assert body["overdue_mitigation_count"] == 1 and body["overdue_mitigations"][0]["title"] == "Static analysis gate"
    assert [a["hazard_ref"] for a in body["expiring_acceptances"]] == ["H-001"]
    assert {"likelihood": 5, "severity": 5, "count": 2} in body["heatmap"]
    theirs = api_client_for(outsider).get("/api/v1/portfolio/").json()
    assert [a["title"] for a in theirs["assessments"]] == ["Secret assessment"]
    # Another team's project or people are not there to filter by: nothing matches.
    foreign = api_client_for(outsider).get(f"/api/v1/portfolio/?project={two_projects['first'].project_id}").json()
    assert foreign["assessments"] == [] and foreign["top_risks"] == [] and foreign["heatmap"] == []
    stranger = api_client_for(outsider).get("/api/v1/portfolio/?owner=alice").json()
    assert stranger["top_risks"] == [] and stranger["overdue_mitigations"] == []


def test_filters_are_validated_in_the_error_shape(api_client_for, owner, contributor, two_projects):
    client = api_client_for(owner)
    cell = client.get("/api/v1/portfolio/?likelihood=5&severity=5").json()
    assert sorted(r["title"] for r in cell["top_risks"]) == ["Agent deletes data", "Insecure code"]
    column = client.get("/api/v1/portfolio/?likelihood=5").json()
    assert sorted(r["title"] for r in column["top_risks"]) == ["Agent deletes data", "Insecure code"]
    assert client.get("/api/v1/portfolio/?severity=1").json()["top_risks"] == []
    mine = client.get(f"/api/v1/portfolio/?owner={contributor.username}&category=over_reliance").json()
    assert [r["title"] for r in mine["top_risks"]] == ["Over-reliance"]
    for query, field in [
        ("likelihood=6&severity=1", "likelihood"),
        ("category=nope", "category"),
    ]:
        response = client.get(f"/api/v1/portfolio/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["errors"], response.json()


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type, everywhere in a schema."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_the_answer_matches_the_schema(api_client_for, owner, two_projects):
    client = api_client_for(owner)
    schema = client.get("/api/v1/schema/?format=json").json()
    response_schema = schema["paths"]["/api/v1/portfolio/"]["get"]["responses"]["200"]["content"]["application/json"]
    resolver_schema = _json_schema({**response_schema["schema"], "components": schema["components"]})
    jsonschema.validate(client.get("/api/v1/portfolio/").json(), resolver_schema)


def test_a_cached_answer_is_never_served_after_a_change(api_client_for, owner, contributor, two_projects):
    client = api_client_for(owner)
    first = client.get("/api/v1/portfolio/").json()
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/api/v1/portfolio/").json()
    assert again == first
    assert not any("hazards_hazardscenario" in q["sql"] for q in captured), [q["sql"] for q in captured]
    hazard_update(hazard_id=two_projects["worst"].pk, by=contributor, expected_version=None, residual_likelihood=1)
    after = client.get("/api/v1/portfolio/").json()
    assert {"likelihood": 5, "severity": 5, "count": 1} in after["heatmap"]
    contributor.username = "carol-renamed"
    contributor.save(update_fields=["username"])
    assert client.get("/api/v1/portfolio/").json()["overdue_mitigations"][0]["owner"] == "carol-renamed"
    # The owner filter names people by username: the rename is a new key too.
    mine = client.get("/api/v1/portfolio/?owner=carol-renamed&category=over_reliance").json()
    assert [r["title"] for r in mine["top_risks"]] == ["Over-reliance"]
