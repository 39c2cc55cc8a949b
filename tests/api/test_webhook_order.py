"""Webhooks are delivered at least once and in no particular order; a receiver that keeps the highest
`object.version` per object (the rule in docs/api.md) still ends with the server's state."""

import datetime
import json
import random
from pathlib import Path

from django.utils import timezone

from assessments.models import WebhookDelivery
from assessments.rest import representations
from assessments.services import webhooks
from assessments.webhooks.tasks import webhook_deliver
from hazards import services
from hazards.models import HazardScenario, Mitigation
from tests.factories import make_hazard


def documented_apply():
    """The receiver's rule, run from docs/api.md itself so the documentation is what is tested."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    snippet = next(block for block in docs.split("```python")[1:] if "def apply(" in block).split("```")[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation, run to prove it works)
    return namespace["apply"]


def mirror_of(payloads: list[dict]) -> dict:
    apply, mirror, seen = documented_apply(), {}, {}
    for payload in payloads:
        apply(mirror, seen, payload)
    return mirror


def send_due(endpoint, *, newest_first: bool = False, limit: int | None = None) -> None:
    """One attempt for each pending delivery, as the sweep would once their retry time comes."""
    pending = endpoint.deliveries.filter(status=WebhookDelivery.State.PENDING).order_by("-id" if newest_first else "id")
    ids = list(pending.values_list("id", flat=True)[:limit])
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    for delivery_id in ids:
        webhook_deliver(delivery_id)


def server_state(assessment) -> dict:
    objects = [
        *(
            ("hazard", "hazardscenario", pk)
            for pk in HazardScenario.objects.filter(assessment=assessment).values_list("pk", flat=True)
        ),
        *(
            ("mitigation", "mitigation", pk)
            for pk in Mitigation.objects.filter(assessment=assessment).values_list("pk", flat=True)
        ),
    ]
    return {(resource, pk): representations.represent_current(model, pk) for resource, model, pk in objects}


def test_a_receiver_down_for_a_while_applies_events_by_version_and_ends_with_the_servers_state(
    assessment, contributor, owner, receiver
):
    endpoint, _ = webhooks.webhook_create(
        project_id=assessment.project.pk, by=owner, url=receiver.url, event_types=["hazard.*", "mitigation.*"]
    )
    hazards = [make_hazard(assessment, contributor, title=f"Hazard {n}") for n in range(3)]
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Review",
        kind="process_control",
        hazard_ids=[h.pk for h in hazards],
    )
    send_due(endpoint)

    receiver.down = True
    for round_ in range(1, 4):
        for hazard in hazards:
            services.hazard_update(
                hazard_id=hazard.pk, by=contributor, expected_version=None, title=f"{hazard.pk} r{round_}"
            )
        services.mitigation_update(
            mitigation_id=mitigation.pk, by=contributor, expected_version=None, title=f"Review r{round_}"
        )
        send_due(endpoint, newest_first=round_ % 2 == 0)  # every attempt fails and is retried later
    services.hazard_delete(hazard_id=hazards[2].pk, by=contributor, expected_version=None)
    send_due(endpoint)

    receiver.down = False
    # Retries and new events interleave: some retries go out, more writes happen, then the rest.
    send_due(endpoint, newest_first=True, limit=5)
    services.hazard_update(hazard_id=hazards[0].pk, by=contributor, expected_version=None, title="Final title")
    send_due(endpoint, limit=4)
    services.mitigation_update(mitigation_id=mitigation.pk, by=contributor, expected_version=None, title="Final")
    send_due(endpoint)

    assert not endpoint.deliveries.exclude(status=WebhookDelivery.State.SUCCEEDED).exists()
    arrived = [json.loads(r.body) for r in receiver.requests if r.status == 200]
    assert len({p["id"] for p in arrived}) == endpoint.deliveries.count(), "every event arrived"
    expected = server_state(assessment)
    assert ("hazard", hazards[2].pk) not in expected and len(expected) == 3

    # A receiver working off a queue with several workers applies them in any order: the result is the same.
    for order in (arrived, arrived[::-1], *(random.Random(seed).sample(arrived, len(arrived)) for seed in range(5))):
        assert mirror_of(order) == expected
    # Applied as they come without the rule, the reversed order would leave the first versions behind.
    naive = {}
    for payload in arrived[::-1]:
        key = (payload["object"]["type"], payload["object"]["id"])
        naive[key] = payload["data"]
    assert naive != expected
