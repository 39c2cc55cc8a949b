"""Mitigation services: refs, scenario links, ticket keys and progress tracking after sign-off."""

import datetime

import pytest

from assessments.errors import ContentFrozen, InvalidInput, StaleVersion
from assessments.models import AuditEvent, Status
from hazards import services
from hazards.models import Mitigation
from tests.factories import make_assessment, make_hazard


def _mitigation(assessment, by, **fields):
    values = {"title": "Mandatory review of generated code", "kind": "process_control", **fields}
    return services.mitigation_create(assessment_id=assessment.pk, by=by, **values)


def test_create_links_scenarios_and_audits_their_refs(assessment, contributor):
    h1, h2 = make_hazard(assessment, contributor), make_hazard(assessment, contributor)
    mitigation = _mitigation(assessment, contributor, hazard_ids=[h2.pk, h1.pk])
    assert mitigation.ref == "M-001"
    assert set(mitigation.scenarios.all()) == {h1, h2}
    event = AuditEvent.objects.get(action="mitigation.created")
    assert event.changes["scenarios"] == [None, ["H-001", "H-002"]]


def test_scenarios_of_another_assessment_cannot_be_linked(project, assessment, contributor):
    elsewhere = make_hazard(make_assessment(project, contributor, title="Other"), contributor)
    with pytest.raises(InvalidInput, match="belong to this assessment"):
        _mitigation(assessment, contributor, hazard_ids=[elsewhere.pk])


def test_link_and_unlink_bump_the_version_and_audit(assessment, contributor):
    h1, h2 = make_hazard(assessment, contributor), make_hazard(assessment, contributor)
    mitigation = _mitigation(assessment, contributor, hazard_ids=[h1.pk])
    mitigation = services.mitigation_link(
        mitigation_id=mitigation.pk, hazard_id=h2.pk, by=contributor, expected_version=1
    )
    mitigation = services.mitigation_unlink(
        mitigation_id=mitigation.pk, hazard_id=h1.pk, by=contributor, expected_version=2
    )
    assert list(mitigation.scenarios.all()) == [h2]
    assert mitigation.version == 3
    changes = [e.changes["scenarios"] for e in AuditEvent.objects.filter(action="mitigation.updated").order_by("id")]
    assert changes == [[["H-001"], ["H-001", "H-002"]], [["H-001", "H-002"], ["H-002"]]]


def test_a_ticket_key_is_unique_per_assessment_and_needs_its_system(assessment, contributor):
    _mitigation(assessment, contributor, external_system="jira", external_key="SEC-1")
    with pytest.raises(InvalidInput, match="already linked to M-001"):
        _mitigation(assessment, contributor, title="Other", external_system="jira", external_key="SEC-1")
    with pytest.raises(InvalidInput) as excinfo:
        _mitigation(assessment, contributor, title="Other", external_key="SEC-2")
    assert "external_system" in excinfo.value.errors
    with pytest.raises(InvalidInput) as excinfo:
        _mitigation(assessment, contributor, title="Other", external_url="javascript:alert(1)")
    assert "external_url" in excinfo.value.errors


def test_stale_mitigation_edit_is_refused(assessment, contributor, reviewer):
    mitigation = _mitigation(assessment, contributor)
    services.mitigation_update(mitigation_id=mitigation.pk, by=reviewer, expected_version=1, status="planned")
    with pytest.raises(StaleVersion):
        services.mitigation_update(mitigation_id=mitigation.pk, by=contributor, expected_version=1, status="verified")
    mitigation.refresh_from_db()
    assert mitigation.status == "planned"


def test_progress_can_be_tracked_after_approval_but_content_is_frozen(assessment, contributor, reviewer):
    mitigation = _mitigation(assessment, contributor)
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    services.mitigation_update(
        mitigation_id=mitigation.pk,
        by=contributor,
        expected_version=1,
        status="implemented",
        owner=reviewer,
        due_date=datetime.date(2027, 1, 31),
        external_system="jira",
        external_key="SEC-9",
    )
    stored = Mitigation.objects.get(pk=mitigation.pk)
    tracked = (stored.status, stored.owner, stored.due_date, stored.external_system, stored.external_key)
    assert tracked == ("implemented", reviewer, datetime.date(2027, 1, 31), "jira", "SEC-9")
    assert stored.version == 2
    events_before = AuditEvent.objects.count()
    with pytest.raises(ContentFrozen):
        services.mitigation_update(mitigation_id=mitigation.pk, by=contributor, expected_version=2, title="New")
    # Progress and content in one call: all of it is refused, the progress part included.
    with pytest.raises(ContentFrozen):
        services.mitigation_update(
            mitigation_id=mitigation.pk, by=contributor, expected_version=2, status="verified", title="New"
        )
    with pytest.raises(ContentFrozen):
        _mitigation(assessment, contributor)
    stored = Mitigation.objects.get(pk=mitigation.pk)
    assert (stored.title, stored.status, stored.version) == ("Mandatory review of generated code", "implemented", 2)
    assert Mitigation.objects.filter(assessment=assessment).count() == 1
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("status", [Status.SUPERSEDED, Status.ARCHIVED])
def test_nothing_changes_in_superseded_or_archived_assessments(assessment, contributor, status):
    mitigation = _mitigation(assessment, contributor)
    type(assessment).objects.filter(pk=assessment.pk).update(status=status)
    with pytest.raises(ContentFrozen):
        services.mitigation_update(mitigation_id=mitigation.pk, by=contributor, expected_version=1, status="verified")
