"""Idempotency-Key: retries create once and get the first response; concurrent retries too (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection

from assessments.models import AuditEvent, IdempotencyRecord
from assessments.services.idempotency import idempotency_prune
from hazards import services as hazard_services
from hazards.models import Mitigation


def _create(client, assessment, key, **extra):
    body = {"assessment": assessment.pk, "title": "Sandbox execution", "kind": "technical_control", **extra}
    return client.post("/api/v1/mitigations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_returns_the_first_response_and_creates_nothing(
    world, contributor, api_client_for
):
    client = api_client_for(contributor)
    first = _create(client, world.assessment, "retry-1")
    events = AuditEvent.objects.count()
    second = _create(client, world.assessment, "retry-1")
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Idempotent-Replayed"] == "true"
    assert Mitigation.objects.filter(title="Sandbox execution").count() == 1
    assert AuditEvent.objects.count() == events


def test_the_same_key_with_another_body_is_refused_with_422(world, contributor, api_client_for):
    client = api_client_for(contributor)
    _create(client, world.assessment, "reused")
    response = _create(client, world.assessment, "reused", title="Something else")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Mitigation.objects.filter(title="Something else").exists()


def test_the_same_key_on_another_endpoint_is_refused_with_422(world, contributor, api_client_for):
    client = api_client_for(contributor)
    _create(client, world.assessment, "k")
    response = client.post(
        "/api/v1/hazards/", {"assessment": world.assessment.pk, "title": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422


def test_a_failed_request_stores_nothing_so_the_corrected_retry_runs(world, contributor, api_client_for):
    client = api_client_for(contributor)
    bad = client.post(
        "/api/v1/mitigations/",
        {"assessment": world.assessment.pk, "title": "X", "kind": "wishful_thinking"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fix-me",
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="fix-me").exists()
    good = _create(client, world.assessment, "fix-me")
    assert good.status_code == 201


def test_keys_belong_to_one_user(world, contributor, owner, api_client_for):
    assert _create(api_client_for(contributor), world.assessment, "shared").status_code == 201
    response = _create(api_client_for(owner), world.assessment, "shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Mitigation.objects.filter(title="Sandbox execution").count() == 2


def test_workflow_actions_are_idempotent_too(world, contributor, api_client_for):
    client = api_client_for(contributor)
    url = f"/api/v1/assessments/{world.assessment.pk}/submit/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    retry = client.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == retry.status_code == 200
    assert retry.content == first.content
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1
    assert client.post(url).status_code == 409  # without the key, a second submit is an invalid transition


def test_an_overlong_key_is_refused(world, contributor, api_client_for):
    response = _create(api_client_for(contributor), world.assessment, "k" * 256)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


def test_old_records_are_pruned(world, contributor, api_client_for):
    _create(api_client_for(contributor), world.assessment, "old")
    IdempotencyRecord.objects.update(created_at="2020-01-01T00:00:00Z")
    assert idempotency_prune() == 1
    assert not IdempotencyRecord.objects.exists()


def _in_threads(n, work):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_exactly_once(world, contributor, api_client_for, monkeypatch):
    original = hazard_services.mitigation_create
    started = threading.Event()

    def slow_create(**kwargs):
        # Hold the first request's transaction open while the retries arrive, so they truly overlap.
        mitigation = original(**kwargs)
        started.set()
        time.sleep(0.5)
        return mitigation

    monkeypatch.setattr(hazard_services, "mitigation_create", slow_create)
    clients = [api_client_for(contributor) for _ in range(6)]

    responses = _in_threads(6, lambda i: _create(clients[i], world.assessment, "concurrent"))

    assert started.is_set()
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 5
    assert Mitigation.objects.filter(title="Sandbox execution").count() == 1
    assert AuditEvent.objects.filter(action="mitigation.created", object_ref="M-002").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_ticket_make_one_mitigation_and_no_server_error(world, contributor, api_client_for):
    clients = [api_client_for(contributor) for _ in range(8)]

    def create(i):
        return clients[i].post(
            "/api/v1/mitigations/",
            {
                "assessment": world.assessment.pk,
                "title": f"From ticket, attempt {i}",
                "kind": "process_control",
                "external_system": "jira",
                "external_key": "SEC-77",
            },
            format="json",
        )

    responses = _in_threads(8, create)

    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1
    assert set(codes) <= {201, 400, 409}
    assert Mitigation.objects.filter(external_system="jira", external_key="SEC-77").count() == 1
