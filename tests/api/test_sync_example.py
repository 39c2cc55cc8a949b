"""The documented sync loop (docs/examples/sync_mitigations.py) run against a live server."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessments.services import tokens
from hazards import services
from hazards.models import Mitigation

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sync_mitigations.py"


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("sync_mitigations", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hazlog(example, live_server, world, contributor):
    _, raw = tokens.token_create(user=contributor, name="sync example")
    return example.Hazlog(live_server.url, raw)


class RecordingTickets:
    def __init__(self):
        self.upserts, self.closed = [], []

    def upsert(self, mitigation):
        self.upserts.append((mitigation["ref"], mitigation["status"]))

    def close(self, event):
        self.closed.append(event["object_ref"])


def test_a_pass_then_an_incremental_pass_see_every_change_and_deletion(example, hazlog, world, contributor):
    settled = services.mitigation_create(
        assessment_id=world.assessment.pk, by=contributor, title="Settled long ago", kind="process_control"
    )
    # Last changed an hour before the first pass: well before any resume point, margin included.
    Mitigation.objects.filter(pk=settled.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    tickets = RecordingTickets()
    state = example.sync_once(hazlog, tickets, {})
    assert tickets.upserts == [("M-002", "proposed"), ("M-001", "proposed")]
    first_since = parse_datetime(state["since"])

    services.mitigation_update(
        mitigation_id=world.mitigation.pk, by=contributor, expected_version=None, status="planned"
    )
    doomed = services.mitigation_create(
        assessment_id=world.assessment.pk, by=contributor, title="Temp", kind="process_control"
    )
    services.mitigation_delete(mitigation_id=doomed.pk, by=contributor, expected_version=None)
    tickets = RecordingTickets()
    state = example.sync_once(hazlog, tickets, state)
    assert ("M-001", "planned") in tickets.upserts
    assert tickets.closed == [doomed.ref] == ["M-003"]
    # Incremental: only what changed since the first pass, not the mitigation settled before it.
    assert tickets.upserts == [("M-001", "planned")]
    second_since = parse_datetime(state["since"])
    assert first_since < second_since

    tickets = RecordingTickets()
    state = example.sync_once(hazlog, tickets, state)
    assert ("M-003", "proposed") not in tickets.upserts
    assert ("M-002", "proposed") not in tickets.upserts
    assert tickets.closed in ([], ["M-003"])  # at least once: a deletion inside the margin may come again
    assert second_since < parse_datetime(state["since"])


def test_pushing_from_a_ticket_rereads_after_a_conflict_and_keeps_the_other_change(
    example, hazlog, world, owner, monkeypatch
):
    original, interfered = hazlog.request, []

    def request(method, path, body=None, headers=None):
        result = original(method, path, body, headers)
        if method == "GET" and not interfered:
            # Someone edits the mitigation in the browser between the client's read and its write.
            services.mitigation_update(
                mitigation_id=world.mitigation.pk, by=owner, expected_version=None, verification_note="Checked by QA"
            )
            interfered.append(True)
        return result

    monkeypatch.setattr(hazlog, "request", request)
    result = hazlog.set_from_ticket("jira", "SEC-1", {"status": "implemented"})

    mitigation = Mitigation.objects.get(pk=world.mitigation.pk)
    assert (mitigation.status, mitigation.verification_note) == ("implemented", "Checked by QA")
    assert result["version"] == mitigation.version == 3


def test_creating_from_a_ticket_twice_creates_one_mitigation(hazlog, world):
    first = hazlog.create_for_ticket(world.assessment.pk, "jira", "SEC-9", "Rate-limit the agent", "technical_control")
    again = hazlog.create_for_ticket(world.assessment.pk, "jira", "SEC-9", "Rate-limit the agent", "technical_control")
    assert first == again
    assert Mitigation.objects.filter(external_key="SEC-9").count() == 1
