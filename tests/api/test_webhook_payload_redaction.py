"""A webhook's URL credentials and secret never reach the other receivers of the project's events."""

import json

from assessments.models import AuditEvent
from assessments.services import webhooks
from assessments.webhooks.tasks import webhook_deliver


def test_other_receivers_learn_of_a_new_webhook_without_its_url_credentials_or_secret(project, owner, receiver):
    listener, _ = webhooks.webhook_create(project_id=project.pk, by=owner, url=receiver.url)
    credentialed_url = receiver.url.replace("http://", "http://hookuser:p%40ss@word@")
    other, secret = webhooks.webhook_create(project_id=project.pk, by=owner, url=credentialed_url)
    webhooks.webhook_update(webhook_id=other.pk, by=owner, expected_version=1, description="CI relay")

    for delivery in listener.deliveries.filter(event__object_id=other.pk).order_by("pk"):
        assert webhook_deliver(delivery.pk) == "succeeded"

    bodies = [request.body.decode() for request in receiver.requests]
    payloads = [json.loads(body) for body in bodies]
    assert [p["type"] for p in payloads] == ["webhook.created", "webhook.updated"]
    redacted = receiver.url.replace("http://", "http://***@")
    assert all(p["data"]["url"] == redacted and p["object"]["repr"] == redacted for p in payloads)
    assert payloads[0]["changes"]["url"] == [None, redacted]
    assert not any("hookuser" in body or "word" in body or secret in body for body in bodies)


def test_the_audit_trail_names_a_webhook_by_its_url_without_credentials(project, owner, receiver):
    webhooks.webhook_create(project_id=project.pk, by=owner, url=receiver.url.replace("http://", "http://u:pw@"))
    event = AuditEvent.objects.get(action="webhook.created")
    assert event.object_repr == receiver.url.replace("http://", "http://***@")


def test_the_owner_still_reads_the_full_url_through_the_api(project, owner, receiver, api_client_for):
    url = receiver.url.replace("http://", "http://u:pw@")
    endpoint, _ = webhooks.webhook_create(project_id=project.pk, by=owner, url=url)
    assert api_client_for(owner).get(f"/api/v1/webhooks/{endpoint.pk}/").json()["url"] == url
