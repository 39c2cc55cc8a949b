"""Sync paging: a stable cursor order, inclusive updated_since, and a resume point that loses no write,
even when writes commit while a client pages; query counts stay flat as lists grow."""

import datetime
import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from hazards import services
from hazards.models import Mitigation
from tests.factories import ProjectFactory, add_member, make_assessment, make_hazard


def _mitigations(assessment, by, n, start=0):
    return [
        services.mitigation_create(
            assessment_id=assessment.pk, by=by, title=f"Control {start + i}", kind="process_control"
        )
        for i in range(n)
    ]


def _pass(client, path, updated_since=None, page_size=None):
    """Follow `next` links through one pass; returns (rows, next_updated_since of every page)."""
    params = {}
    if updated_since:
        params["updated_since"] = updated_since
    if page_size:
        params["page_size"] = page_size
    rows, marks = [], []
    response = client.get(path, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        marks.append(body["next_updated_since"])
        if not body["next"]:
            return rows, marks
        response = client.get(body["next"])


def test_pages_cover_every_row_once_in_updated_order(assessment, contributor, api_client_for):
    _mitigations(assessment, contributor, 23)
    rows, marks = _pass(api_client_for(contributor), "/api/v1/mitigations/", page_size=5)
    assert len(rows) == 23 and len({r["id"] for r in rows}) == 23
    keys = [(parse_datetime(r["updated_at"]), r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert len(set(marks)) == 1, "every page of a pass reports the pass's resume point"


def test_updated_since_is_inclusive(assessment, contributor, api_client_for):
    _first, second = _mitigations(assessment, contributor, 2)
    client = api_client_for(contributor)
    since = client.get(f"/api/v1/mitigations/{second.pk}/").json()["updated_at"]
    ids = [r["id"] for r in client.get("/api/v1/mitigations/", {"updated_since": since}).json()["results"]]
    assert ids == [second.pk]


def test_an_unencoded_plus_in_updated_since_still_parses(assessment, contributor, api_client_for):
    _mitigations(assessment, contributor, 1)
    response = api_client_for(contributor).get("/api/v1/mitigations/?updated_since=2000-01-01T00:00:00+00:00")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "query",
    ["page_size=0", "page_size=501", "page_size=ten", "cursor=not-a-cursor", "updated_since=yesterday"],
)
def test_bad_paging_parameters_are_a_400(assessment, contributor, api_client_for, query):
    response = api_client_for(contributor).get(f"/api/v1/mitigations/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_parameter", "invalid_cursor"}


@pytest.mark.django_db(transaction=True)
def test_a_write_still_open_during_a_pass_is_caught_by_the_next_pass(assessment, contributor, api_client_for):
    """The deterministic core of "loses nothing": a row stamped before the pass but committed after it."""
    (mitigation,) = _mitigations(assessment, contributor, 1)
    client = api_client_for(contributor)
    stamped, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            services.mitigation_update(
                mitigation_id=mitigation.pk, by=contributor, expected_version=None, status="planned"
            )
            stamped.set()
            release.wait(10)
        connection.close()
        done.set()

    threading.Thread(target=slow_writer).start()
    assert stamped.wait(10)
    rows, marks = _pass(client, "/api/v1/mitigations/")
    assert [r["status"] for r in rows] == ["proposed"], "the open write is not visible yet"
    release.set()
    assert done.wait(10)

    stamped_at = Mitigation.objects.get(pk=mitigation.pk).updated_at
    assert parse_datetime(marks[0]) <= stamped_at
    rows, _ = _pass(client, "/api/v1/mitigations/", updated_since=marks[0])
    assert [(r["id"], r["status"]) for r in rows] == [(mitigation.pk, "planned")]


@pytest.mark.django_db(transaction=True)
def test_paging_while_others_write_loses_no_change(assessment, contributor, owner, api_client_for):
    mitigations = _mitigations(assessment, contributor, 40)
    ids = [m.pk for m in mitigations]
    client = api_client_for(contributor)
    stop = threading.Event()
    statuses = ["planned", "in_progress", "implemented", "verified", "proposed"]

    def writer(seed):
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                with transaction.atomic():
                    services.mitigation_update(
                        mitigation_id=rng.choice(ids), by=owner, expected_version=None, status=rng.choice(statuses)
                    )
                    time.sleep(rng.uniform(0, 0.01))  # commits land in a different order than their stamps
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
    for w in writers:
        w.start()
    seen: dict[int, int] = {}
    since = None

    def writes() -> int:
        return sum(Mitigation.objects.filter(pk__in=ids).values_list("version", flat=True)) - len(ids)

    try:
        passes = 0
        # At least 12 passes, and on until the writers have written 20 times during them: how many writes land in
        # 12 passes depends on how fast the API pages and how busy the machine is.
        while passes < 12 or (writes() <= 20 and passes < 500):
            rows, marks = _pass(client, "/api/v1/mitigations/", updated_since=since, page_size=7)
            for row in rows:
                seen[row["id"]] = max(seen.get(row["id"], 0), row["version"])
            since = marks[0]
            passes += 1
    finally:
        stop.set()
        for w in writers:
            w.join(30)
    rows, _ = _pass(client, "/api/v1/mitigations/", updated_since=since, page_size=7)
    for row in rows:
        seen[row["id"]] = max(seen.get(row["id"], 0), row["version"])

    final = dict(Mitigation.objects.values_list("id", "version"))
    assert sum(final.values()) > len(final) + 20, "the writers really wrote during the passes"
    assert seen == final


LISTS = [
    "/api/v1/projects/",
    "/api/v1/memberships/",
    "/api/v1/assessments/",
    "/api/v1/hazards/",
    "/api/v1/consequences/",
    "/api/v1/mitigations/",
    "/api/v1/risk-acceptances/",
    "/api/v1/comments/",
    "/api/v1/events/",
    "/api/v1/catalogue/",
    "/api/v1/webhooks/",
    "/api/v1/webhook-deliveries/",
]


def _grow(world, contributor, approver, owner, n):
    from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
    from tests.api.conftest import load_template

    for i in range(n):
        extra = ProjectFactory(name=f"Extra {i}")
        add_member(extra, owner, "owner")
        add_member(extra, contributor, "viewer")
        make_assessment(extra, owner, title=f"Extra assessment {i}")
        hazard = make_hazard(world.assessment, contributor, title=f"Hazard {i}", owner=contributor)
        services.consequence_create(
            hazard_id=hazard.pk,
            by=contributor,
            description="Harm",
            harm_type="technical",
            affected_party="developers",
            severity=2,
        )
        services.mitigation_create(
            assessment_id=world.assessment.pk,
            by=contributor,
            title=f"M {i}",
            kind="process_control",
            hazard_ids=[hazard.pk, world.hazard.pk],
            owner=contributor,
        )
        services.acceptance_grant(
            hazard_id=hazard.pk,
            by=approver,
            rationale="ok",
            expires_on=datetime.date.today() + datetime.timedelta(days=30),
        )
        services.comment_create(assessment_id=world.assessment.pk, by=contributor, body=f"@bob look at {i}")
        endpoint = WebhookEndpoint.objects.create(
            project=world.project, url=f"https://h{i}.example.com/", secret="s" * 20
        )
        WebhookDelivery.objects.create(endpoint=endpoint, event=AuditEvent.objects.latest("id"))
        if i < 5:
            load_template(["APP-01", "APP-02", "APP-03", "SEC-02", "SEC-03"][i])


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_the_rows(path, world, contributor, approver, owner, api_client_for):
    client = api_client_for(owner)
    client.get(path)  # token use is recorded once a minute; keep that write out of the count

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, {"page_size": 200})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    small_queries, small_rows = count()
    _grow(world, contributor, approver, owner, 6)
    large_queries, large_rows = count()
    assert large_rows > small_rows
    # The token, the pass's resume point, the rows; plus one prefetch where a representation lists links.
    expected = 4 if path in ("/api/v1/mitigations/", "/api/v1/comments/") else 3
    assert small_queries == large_queries == expected, (path, small_queries, large_queries)
