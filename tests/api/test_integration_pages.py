"""Browser pages for API tokens (create, shown once; list; revoke) and a project's webhooks (owners: register,
edit, disable, delivery log, redelivery)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.models import ApiToken, AuditEvent, WebhookDelivery, WebhookEndpoint
from assessments.services import tokens, webhooks
from assessments.webhooks.tasks import webhook_deliver
from tests.factories import make_hazard
from tests.webtools import client_for  # noqa: F401 (a fixture)


def test_a_created_token_is_shown_once_and_works(contributor, client_for, project):  # noqa: F811
    client = client_for(contributor)
    response = client.post("/tokens/", {"name": "Jira sync", "read_only": "on"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=contributor)
    raw = response.context["created"]["raw"]
    assert raw.encode() in response.content and token.read_only
    assert tokens.token_authenticate(raw=raw) == token
    again = client.get("/tokens/")
    assert raw.encode() not in again.content and b"Jira sync" in again.content
    assert token.prefix.encode() in again.content


def test_the_token_list_shows_only_ones_own_tokens(contributor, reviewer, client_for):  # noqa: F811
    tokens.token_create(user=reviewer, name="Dashboard of bob")
    tokens.token_create(user=contributor, name="CI gate of alice")
    page = client_for(contributor).get("/tokens/")
    assert b"CI gate of alice" in page.content and b"Dashboard of bob" not in page.content


def test_a_token_can_be_revoked_and_no_one_else_can_revoke_it(contributor, reviewer, client_for):  # noqa: F811
    token, _ = tokens.token_create(user=contributor, name="old")
    assert client_for(reviewer).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    response = client_for(contributor).post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert b"revoked" in response.content
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_form_with_a_past_expiry_is_shown_again_with_the_reason(contributor, client_for):  # noqa: F811
    response = client_for(contributor).post("/tokens/", {"name": "x", "expires_on": "2001-01-01"})
    assert response.status_code == 400
    assert b"Choose today or a later day." in response.content
    assert not ApiToken.objects.exists()


def test_the_token_pages_need_a_signed_in_user_and_csrf(contributor, db):
    assert Client().get("/tokens/").status_code == 302
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    assert client.post("/tokens/", {"name": "forged"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.fixture
def endpoint(project, owner, settings):
    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = True
    created, _ = webhooks.webhook_create(
        project_id=project.pk, by=owner, url="http://127.0.0.1:9/hooks", event_types=["hazard.*"]
    )
    return created


def test_only_owners_reach_the_webhook_pages(project, endpoint, owner, approver, viewer, outsider, client_for):  # noqa: F811
    assert client_for(owner).get(f"/projects/{project.pk}/webhooks/").status_code == 200
    assert client_for(approver).get(f"/projects/{project.pk}/webhooks/").status_code == 403
    assert client_for(viewer).get(f"/webhooks/{endpoint.pk}/").status_code == 403
    assert client_for(outsider).get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert client_for(approver).post(f"/webhooks/{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_project_page_links_owners_to_their_webhooks(project, owner, contributor, client_for):  # noqa: F811
    link = f"/projects/{project.pk}/webhooks/".encode()
    assert link in client_for(owner).get(f"/projects/{project.pk}/").content
    assert link not in client_for(contributor).get(f"/projects/{project.pk}/").content


def test_registering_shows_the_secret_once(project, owner, client_for, settings):  # noqa: F811
    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = True
    client = client_for(owner)
    response = client.post(
        f"/projects/{project.pk}/webhooks/",
        {"url": "http://127.0.0.1:9/hooks", "event_types": "mitigation.*, assessment.approved"},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(project=project)
    assert endpoint.event_types == ["mitigation.*", "assessment.approved"]
    assert endpoint.secret.encode() in response.content
    assert endpoint.secret.encode() not in client.get(f"/projects/{project.pk}/webhooks/").content
    assert endpoint.secret.encode() not in client.get(f"/webhooks/{endpoint.pk}/").content


def test_a_private_url_is_refused_with_the_reason_next_to_the_field(project, owner, client_for):  # noqa: F811
    response = client_for(owner).post(f"/projects/{project.pk}/webhooks/", {"url": "http://169.254.169.254/x"})
    assert response.status_code == 400
    assert b"link-local" in response.content
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_status_code_duration_attempts_and_next_try(
    assessment,
    contributor,
    owner,
    endpoint,
    client_for,  # noqa: F811
):
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    webhook_deliver(delivery.pk)  # nothing listens on port 9: the attempt fails and a retry is scheduled
    page = client_for(owner).get(f"/webhooks/{endpoint.pk}/")
    delivery.refresh_from_db()
    row = page.content.decode().split(f'id="delivery-{delivery.pk}"')[1].split("</tr>")[0]
    assert "hazard.created" in row and ">1<" in row
    assert f"{delivery.last_duration_ms} ms" in row
    assert "ConnectionRefusedError" in row
    assert delivery.next_attempt_at.strftime("%H:%M:%S") in row


def test_redeliver_starts_a_delivery_over(assessment, contributor, owner, endpoint, client_for):  # noqa: F811
    make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8)
    response = client_for(owner).post(f"/webhook-deliveries/{delivery.pk}/redeliver/", follow=True)
    assert b"queued again" in response.content
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_editing_with_a_stale_version_shows_the_conflict_and_saves_nothing(project, endpoint, owner, client_for):  # noqa: F811
    webhooks.webhook_update(webhook_id=endpoint.pk, by=owner, expected_version=1, description="Changed meanwhile")
    response = client_for(owner).post(
        f"/webhooks/{endpoint.pk}/",
        {"url": endpoint.url, "event_types": "hazard.*", "description": "Mine", "active": "on", "version": 1},
    )
    assert response.status_code == 400
    assert b"Someone else changed this endpoint" in response.content
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).description == "Changed meanwhile"


def test_owners_edit_disable_and_remove_an_endpoint(project, endpoint, owner, client_for):  # noqa: F811
    client = client_for(owner)
    saved = client.post(
        f"/webhooks/{endpoint.pk}/",
        {"url": endpoint.url, "event_types": "mitigation.*", "description": "Jira", "active": "on", "version": 1},
    )
    assert saved.status_code == 302
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).event_types == ["mitigation.*"]
    client.post(f"/webhooks/{endpoint.pk}/toggle/")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active is False
    client.post(f"/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert [e.via for e in AuditEvent.objects.filter(object_type="webhookendpoint")] == ["web"] * 4


def test_the_delivery_log_page_takes_the_same_queries_for_few_and_many_deliveries(
    assessment,
    contributor,
    owner,
    endpoint,
    client_for,  # noqa: F811
):
    client = client_for(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 200
        return len(ctx.captured_queries)

    make_hazard(assessment, contributor)
    few = count()
    for n in range(12):
        make_hazard(assessment, contributor, title=f"Hazard {n}")
    assert count() == few
