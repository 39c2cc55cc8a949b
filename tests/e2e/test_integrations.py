"""API tokens and webhooks in Chromium: a token shown once that works and stops working when revoked; an owner
registers a webhook, sees the delivery to a real receiver in the log and redelivers it."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from assessments.models import AuditEvent, WebhookEndpoint
from assessments.webhooks.tasks import webhook_deliver
from tests.api.receiver import Receiver
from tests.factories import make_hazard

pytestmark = pytest.mark.e2e


def _api_status(live_server, token: str) -> int:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/projects/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_is_created_shown_once_used_and_revoked(project, contributor, browser_for, live_server):
    page = browser_for(contributor)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CI gate")
    page.get_by_label("Read-only (GET only)").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("hzl_")
    assert _api_status(live_server, token) == 200

    page.goto(f"{live_server.url}/tokens/")
    expect(page.get_by_text("it will not be shown again")).to_have_count(0)
    page.get_by_role("button", name="Revoke CI gate").click()
    expect(page.get_by_text("revoked").first).to_be_visible()
    assert _api_status(live_server, token) == 401
    assert page.console_errors == []


def test_an_owner_registers_a_webhook_and_follows_its_deliveries(
    assessment, contributor, owner, browser_for, live_server, settings
):
    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver().start()
    try:
        page = browser_for(owner)
        page.goto(f"{live_server.url}/projects/{assessment.project.pk}/")
        page.get_by_role("link", name="Manage webhooks and their delivery log").click()
        page.get_by_label("Payload URL").fill(receiver.url)
        page.get_by_label("Events").fill("hazard.*")
        page.get_by_role("button", name="Register").click()
        secret = page.get_by_label(f"Secret for {receiver.url}").input_value()
        endpoint = WebhookEndpoint.objects.get(url=receiver.url)
        assert secret == endpoint.secret

        make_hazard(assessment, contributor, title="Generated code leaks secrets")
        webhook_deliver(endpoint.deliveries.get().pk)
        page.get_by_role("link", name="Open the endpoint and its delivery log").click()
        row = page.locator("tbody tr").first
        expect(row).to_contain_text("hazard.created")
        expect(row).to_contain_text("Succeeded")
        expect(row).to_contain_text("200")
        assert json.loads(receiver.requests[0].body)["data"]["title"] == "Generated code leaks secrets"

        delivery = endpoint.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
        row.get_by_role("button", name="Redeliver").click()
        expect(page.get_by_text("queued again")).to_be_visible()
        # The same delivery starts over (no worker runs here, so it waits in the queue)...
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
        assert delivery.next_attempt_at is not None
        redelivered = AuditEvent.objects.get(action="webhook.redelivered")
        assert (redelivered.actor, redelivered.changes["delivery"]) == (owner, [None, delivery.pk])
        # ...and once a worker runs it, the receiver gets the event a second time.
        webhook_deliver(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("succeeded", 1)
        assert len(receiver.requests) == 2
        first, again = (json.loads(request.body) for request in receiver.requests)
        assert (again["id"], again["type"]) == (first["id"], first["type"]) == (delivery.event_id, "hazard.created")

        version = endpoint.version
        page.get_by_role("button", name="Disable").click()
        expect(page.get_by_text("Webhook disabled")).to_be_visible()
        endpoint.refresh_from_db()
        assert (endpoint.active, endpoint.version) == (False, version + 1)
        disabled = AuditEvent.objects.filter(action="webhook.updated").latest("id")
        assert (disabled.actor, disabled.changes) == (owner, {"active": [True, False]})
        assert page.console_errors == []
    finally:
        receiver.stop()
