"""The API's read fast path (values() rows through a Projection) gives exactly what the serializers give, field by
field, for the same rows: nulls, dates, date-times, usernames, slugs, nested ids; and the endpoints answer it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.rest.projection import Projection
from hazards import services, sync_selectors
from hazards.models import HazardScenario, HazardTemplate, Mitigation
from hazards.rest.serializers import (
    HAZARD_PROJECTION,
    MITIGATION_PROJECTION,
    HazardSerializer,
    MitigationSerializer,
)
from tests.factories import make_hazard


@pytest.fixture
def varied(world, assessment, contributor):
    """Rows that differ in every way a representation can: a template or none, an owner or none, ratings
    missing, a mitigation without links, one with several, dates and sync stamps set or null."""
    bare = make_hazard(
        assessment,
        contributor,
        title="Unrated",
        inherent_likelihood=None,
        inherent_severity=None,
        residual_likelihood=None,
        residual_severity=None,
        external_ref="EXT-9",
        causes="Überlänge — “quotes” and a newline\nhere",
    )
    HazardScenario.objects.filter(pk=world.hazard.pk).update(
        source_template=HazardTemplate.objects.get(key="SEC-01"), owner=None
    )
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Two links, a due date, a ticket synced",
        kind="technical_control",
        hazard_ids=[bare.pk, world.hazard.pk],
        due_date=datetime.date(2027, 2, 28),
        external_system="jira",
        external_key="SEC-2",
        external_url="https://jira.example.com/browse/SEC-2",
        external_synced_at=timezone.now().replace(microsecond=123456),
    )
    services.mitigation_create(assessment_id=assessment.pk, by=contributor, title="No links", kind="process_control")
    return world


def _compare(projection: Projection, serializer_class, instances, queryset):
    rows = {row["id"]: row for row in projection.represent(projection.values(queryset))}
    expected = serializer_class(instances, many=True).data
    assert len(rows) == len(expected) >= 2
    for item in expected:
        fast = rows[item["id"]]
        assert list(fast) == list(item), "the same fields, in the same order"
        for name, value in item.items():
            assert fast[name] == value, (item["id"], name)
            assert type(fast[name]) is type(value), (item["id"], name)


def test_hazards_read_as_values_are_what_the_serializer_shows(varied, contributor):
    queryset = sync_selectors.hazard_sync_list(user=contributor).order_by("id")
    _compare(HAZARD_PROJECTION, HazardSerializer, list(queryset), queryset)
    template = next(r for r in HAZARD_PROJECTION.represent(HAZARD_PROJECTION.values(queryset)) if r["source_template"])
    assert template["owner"] is None and template["source_template"] == "SEC-01"


def test_mitigations_read_as_values_are_what_the_serializer_shows(varied, contributor):
    queryset = sync_selectors.mitigation_sync_list(user=contributor).order_by("id")
    _compare(MITIGATION_PROJECTION, MitigationSerializer, list(queryset), queryset)
    shown = {r["title"]: r for r in MITIGATION_PROJECTION.represent(MITIGATION_PROJECTION.values(queryset))}
    assert shown["No links"]["hazards"] == [] and shown["No links"]["due_date"] is None
    assert len(shown["Two links, a due date, a ticket synced"]["hazards"]) == 2
    assert shown["Two links, a due date, a ticket synced"]["due_date"] == "2027-02-28"
    assert shown["Two links, a due date, a ticket synced"]["external_synced_at"].endswith(".123456Z")


@pytest.mark.parametrize(
    ("path", "serializer_class", "model"),
    [("hazards", HazardSerializer, HazardScenario), ("mitigations", MitigationSerializer, Mitigation)],
)
def test_the_endpoints_answer_the_serializers_representation(
    varied, contributor, api_client_for, path, serializer_class, model
):
    client = api_client_for(contributor)
    listed = client.get(f"/api/v1/{path}/").json()["results"]
    ids = [item["id"] for item in listed]
    instances = {obj.pk: obj for obj in model.objects.filter(pk__in=ids).prefetch_related()}
    if model is Mitigation:
        instances = {m.pk: m for m in Mitigation.objects.filter(pk__in=ids).prefetch_related("scenarios")}
    assert listed == [serializer_class(instances[pk]).data for pk in ids]
    for pk in ids:
        one = client.get(f"/api/v1/{path}/{pk}/")
        assert one.json() == serializer_class(instances[pk]).data
        assert one["ETag"] == f'"{pk}-{instances[pk].version}"'


def test_a_hazard_of_another_project_is_still_a_404_with_its_message(varied, outsider, api_client_for):
    response = api_client_for(outsider).get(f"/api/v1/hazards/{varied.hazard.pk}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such hazard scenario."


def test_a_field_the_projection_cannot_map_is_refused_when_it_is_built():
    with pytest.raises(TypeError, match="hazards"):
        Projection(MitigationSerializer, paths={"owner": "owner__username"}).values(Mitigation.objects.all())


def test_a_page_of_mitigations_costs_the_same_queries_whatever_its_links(varied, contributor, api_client_for):
    client = api_client_for(contributor)
    client.get("/api/v1/mitigations/")  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/mitigations/?page_size=1")
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/mitigations/")
    assert len(small.captured_queries) == len(large.captured_queries) == 4
