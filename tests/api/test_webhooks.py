"""Webhooks: the outbox written with each change, signed deliveries to a real local receiver, retries with
backoff, giving up after the limit, no redirects, and the owners' API for endpoints and the delivery log."""

import datetime
import json
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from assessments.services import webhooks
from assessments.webhooks import netguard, signing
from assessments.webhooks.tasks import webhook_deliver, webhooks_sweep
from hazards import services
from tests.factories import make_hazard


def _endpoint(project, owner, url, **fields):
    endpoint, secret = webhooks.webhook_create(project_id=project.pk, by=owner, url=url, **fields)
    return endpoint, secret


def _make_due(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_change_and_its_pending_delivery_are_written_together(assessment, contributor, owner, receiver):
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url)
    hazard = make_hazard(assessment, contributor)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event__action="hazard.created")
    assert delivery.event.object_id == hazard.pk
    assert delivery.status == "pending" and delivery.next_attempt_at <= timezone.now()


def test_a_change_that_rolls_back_leaves_no_delivery_behind(assessment, contributor, owner, receiver):
    _endpoint(assessment.project, owner, receiver.url)
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_hazard(assessment, contributor)
        raise RuntimeError("the request failed after the write")
    assert WebhookDelivery.objects.count() == before
    assert not AuditEvent.objects.filter(action="hazard.created").exists()


def test_endpoints_get_only_the_events_they_subscribe_to(
    project, other_project, assessment, contributor, owner, outsider, receiver
):
    mitigations_only, _ = _endpoint(project, owner, receiver.url, event_types=["mitigation.*"])
    disabled, _ = _endpoint(project, owner, receiver.url, active=False)
    elsewhere, _ = _endpoint(other_project, outsider, receiver.url)
    hazard = make_hazard(assessment, contributor)
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="Review", kind="process_control", hazard_ids=[hazard.pk]
    )
    assert list(mitigations_only.deliveries.values_list("event__action", flat=True)) == ["mitigation.created"]
    assert not disabled.deliveries.exists()
    assert not elsewhere.deliveries.filter(event__project=project).exists()


def test_a_delivery_is_signed_and_carries_the_event_and_the_current_object(assessment, contributor, owner, receiver):
    endpoint, secret = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.updated"])
    hazard = make_hazard(assessment, contributor)
    services.hazard_update(hazard_id=hazard.pk, by=contributor, expected_version=1, title="Renamed")
    delivery = endpoint.deliveries.get()

    assert webhook_deliver(delivery.pk) == "succeeded"

    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert signing.verify(secret, headers["x-hazlog-timestamp"], request.body, headers["x-hazlog-signature"])
    assert not signing.verify(
        "wrong secret", headers["x-hazlog-timestamp"], request.body, headers["x-hazlog-signature"]
    )
    assert headers["x-hazlog-event"] == "hazard.updated" and headers["x-hazlog-delivery"] == str(delivery.pk)
    payload = json.loads(request.body)
    assert payload["type"] == "hazard.updated" and payload["id"] == delivery.event_id
    assert payload["actor"] == {"username": "alice", "via": "web"}
    assert payload["project"] == {"id": assessment.project.pk, "name": assessment.project.name}
    assert payload["assessment"]["id"] == assessment.pk
    assert payload["object"] == {
        "type": "hazard",
        "id": hazard.pk,
        "ref": "H-001",
        "repr": "H-001 Renamed",
        "version": 2,
        "deleted": False,
    }
    assert payload["changes"]["title"] == ["Plausible but incorrect code", "Renamed"]
    assert payload["data"]["title"] == "Renamed" and payload["data"]["version"] == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None and delivery.last_duration_ms is not None


def test_the_payload_of_a_deleted_object_has_its_last_values_and_no_data(assessment, contributor, owner, receiver):
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.deleted"])
    hazard = make_hazard(assessment, contributor)
    services.hazard_delete(hazard_id=hazard.pk, by=contributor, expected_version=None)
    webhook_deliver(endpoint.deliveries.get().pk)
    payload = json.loads(receiver.requests[0].body)
    assert payload["data"] is None
    assert payload["changes"]["title"] == ["Plausible but incorrect code", None]
    assert (payload["object"]["version"], payload["object"]["deleted"]) == (2, True), "a tombstone: last version + 1"


def test_a_failed_delivery_is_retried_with_exponential_backoff(assessment, contributor, owner, receiver, settings):
    settings.HAZLOG_WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.statuses = [500, 503, 200]
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()

    gaps = []
    for expected in ("pending", "pending", "succeeded"):
        before = timezone.now()
        assert webhook_deliver(delivery.pk) == expected
        delivery.refresh_from_db()
        if expected == "pending":
            gaps.append((delivery.next_attempt_at - before).total_seconds())
            assert webhook_deliver(delivery.pk) == "not due"
            _make_due(delivery)

    assert 30 <= gaps[0] <= 34 and 60 <= gaps[1] <= 67
    assert len(receiver.requests) == 3
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)


def test_a_delivery_gives_up_after_the_last_attempt(assessment, contributor, owner, receiver, settings):
    settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500]
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    results = []
    for _ in range(4):
        results.append(webhook_deliver(delivery.pk))
        if results[-1] == "pending":
            _make_due(delivery)
    delivery.refresh_from_db()
    assert results == ["pending", "pending", "failed", "not due"]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.last_error.startswith("HTTP 500")
    assert len(receiver.requests) == 3


def test_redirects_are_not_followed(assessment, contributor, owner, receiver):
    receiver.statuses = [302]
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert "Redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_delivery_is_not_sent_when_the_name_now_resolves_to_a_private_address(
    assessment, contributor, owner, receiver, settings, monkeypatch
):
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["10.0.0.5"])
    delivery = endpoint.deliveries.get()
    webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Not sent:") and "10.0.0.5" in delivery.last_error
    assert receiver.requests == []


def test_a_disabled_endpoint_stops_its_pending_deliveries(assessment, contributor, owner, receiver):
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    webhooks.webhook_update(webhook_id=endpoint.pk, by=owner, expected_version=None, active=False)
    delivery = endpoint.deliveries.get()
    assert webhook_deliver(delivery.pk) == "failed"
    assert receiver.requests == []


def test_an_owner_can_redeliver_a_failed_delivery(assessment, contributor, owner, receiver, settings):
    settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500, 200]
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    assert webhook_deliver(delivery.pk) == "failed"
    webhooks.webhook_redeliver(delivery_id=delivery.pk, by=owner)
    assert webhook_deliver(delivery.pk) == "succeeded"
    assert AuditEvent.objects.filter(action="webhook.redelivered").count() == 1
    assert len(receiver.requests) == 2


def test_the_sweep_queues_due_deliveries_and_gives_up_on_abandoned_ones(
    assessment, contributor, owner, receiver, settings
):
    settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS = 2
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    make_hazard(assessment, contributor)
    due, abandoned = endpoint.deliveries.order_by("id")
    WebhookDelivery.objects.filter(pk=abandoned.pk).update(attempts=2)
    assert webhooks.due_deliveries() == [due.pk]
    assert webhooks_sweep() == 1
    abandoned.refresh_from_db()
    assert abandoned.status == "failed" and "did not finish" in abandoned.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_delivery_send_it_once(assessment, contributor, owner, receiver):
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    barrier, results = threading.Barrier(2), []

    def attempt():
        barrier.wait()
        results.append(webhooks.webhook_delivery_attempt(delivery_id=delivery.pk))
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r is None for r in results) == [False, True]
    assert len(receiver.requests) == 1


# --- The API for endpoints and deliveries -----------------------------------------------------------------


def test_registering_an_endpoint_shows_its_secret_once(project, owner, api_client_for, receiver):
    client = api_client_for(owner)
    created = client.post(
        "/api/v1/webhooks/",
        {"project": project.pk, "url": receiver.url, "event_types": ["mitigation.*", "assessment.approved"]},
        format="json",
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert len(secret) >= 32 and WebhookEndpoint.objects.get(pk=created.json()["id"]).secret == secret
    read = client.get(f"/api/v1/webhooks/{created.json()['id']}/").json()
    assert "secret" not in read and read["event_types"] == ["mitigation.*", "assessment.approved"]
    event = AuditEvent.objects.get(action="webhook.created")
    assert secret not in json.dumps(event.changes)


def test_a_new_secret_is_never_written_to_the_audit_trail(project, owner, api_client_for, receiver):
    endpoint, _ = _endpoint(project, owner, receiver.url)
    response = api_client_for(owner).patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"secret": "n" * 40}, format="json", HTTP_IF_MATCH=f'"{endpoint.pk}-1"'
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="webhook.updated")
    assert event.changes == {"secret": ["(previous)", "(replaced)"]}
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "n" * 40


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/", "http:// or https://"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest/", "link-local"),
    ],
)
def test_registering_an_unsafe_url_is_refused_with_the_reason(project, owner, api_client_for, url, message):
    response = api_client_for(owner).post("/api/v1/webhooks/", {"project": project.pk, "url": url}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["url"])
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_types_are_refused(project, owner, api_client_for, receiver):
    response = api_client_for(owner).post(
        "/api/v1/webhooks/",
        {"project": project.pk, "url": receiver.url, "event_types": ["weather.changed"]},
        format="json",
    )
    assert response.status_code == 400 and "event_types" in response.json()["errors"]


def test_the_delivery_log_shows_attempts_and_redelivers(assessment, contributor, owner, api_client_for, receiver):
    receiver.statuses = [500]
    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    webhook_deliver(delivery.pk)
    client = api_client_for(owner)
    (row,) = client.get("/api/v1/webhook-deliveries/", {"webhook": endpoint.pk}).json()["results"]
    assert (row["event_type"], row["status"], row["attempts"], row["last_status_code"]) == (
        "hazard.created",
        "pending",
        1,
        500,
    )
    assert row["next_attempt_at"] is not None and row["last_duration_ms"] is not None
    redelivered = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    assert redelivered.status_code == 200 and redelivered.json()["attempts"] == 0


def test_the_verification_snippet_in_the_docs_accepts_a_real_delivery_and_rejects_a_forged_one(
    assessment, contributor, owner, receiver
):
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    snippet = next(block for block in docs.split("```python")[1:] if "def verify(" in block).split("```")[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation, run to prove it works)
    endpoint, secret = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    make_hazard(assessment, contributor)
    webhook_deliver(endpoint.deliveries.get().pk)
    (request,) = receiver.requests
    assert namespace["verify"](secret, request.headers, request.body)
    assert not namespace["verify"](secret, request.headers, request.body.replace(b"H-001", b"H-666"))


def test_finished_deliveries_leave_the_log_after_the_retention_and_pending_ones_stay(
    assessment, contributor, owner, receiver
):
    from assessments.webhooks.tasks import webhook_log_prune

    endpoint, _ = _endpoint(assessment.project, owner, receiver.url, event_types=["hazard.created"])
    for n in range(3):
        make_hazard(assessment, contributor, title=f"Hazard {n}")
    old_done, old_pending, recent_done = endpoint.deliveries.order_by("id")
    WebhookDelivery.objects.filter(pk__in=[old_done.pk, recent_done.pk]).update(status="succeeded")
    WebhookDelivery.objects.filter(pk__in=[old_done.pk, old_pending.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert webhook_log_prune() == 1
    assert set(endpoint.deliveries.values_list("pk", flat=True)) == {old_pending.pk, recent_done.pk}


def test_an_import_announces_every_row_it_writes(project, assessment, contributor, owner, receiver):
    from hazards.imports import service as imports
    from tests.jobs.test_imports import GOOD_ROWS, HEADERS, csv_bytes, start

    endpoint, _ = _endpoint(project, owner, receiver.url, event_types=["hazard.created", "mitigation.*"])
    job = start(project, contributor, "register.csv", csv_bytes(HEADERS, GOOD_ROWS), assessment_id=assessment.pk)
    imports.import_preview(job_id=job.pk, by=contributor)
    imports.import_apply(job_id=job.pk, by=contributor)
    written = AuditEvent.objects.filter(
        assessment=assessment, action__in=["hazard.created", "mitigation.created", "mitigation.updated"]
    )
    assert written.count() >= 5
    assert set(endpoint.deliveries.values_list("event_id", flat=True)) == set(written.values_list("id", flat=True))
    assert set(endpoint.deliveries.values_list("status", flat=True)) == {"pending"}
