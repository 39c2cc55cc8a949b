"""Starting a revision copies the approved content into a draft: refs, ratings, links, progress, valid acceptances."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import snapshot
from assessments.models import Assessment, AuditEvent, Status
from assessments.services import workflow
from hazards import services
from hazards.models import Consequence, RiskAcceptance
from tests.factories import make_assessment, make_hazard

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def build_register(assessment, contributor, approver, owner, *, extra: int = 0):
    h1 = make_hazard(assessment, contributor, owner=contributor, treatment="accept")
    h2 = make_hazard(assessment, contributor, title="Deleted before sign-off")
    h3 = make_hazard(assessment, contributor, title="Prompt injection", residual_likelihood=4, residual_severity=4)
    for n in range(extra):
        # Each extra row carries every kind of content the copy handles, so a per-row query would show.
        scenario = make_hazard(assessment, contributor, title=f"Extra {n}", owner=contributor)
        services.consequence_create(
            hazard_id=scenario.pk,
            by=contributor,
            description=f"Consequence of extra {n}",
            harm_type="technical",
            affected_party="developers",
            severity=2,
        )
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=contributor,
            title=f"Mitigation of extra {n}",
            kind="process_control",
            hazard_ids=[scenario.pk, h3.pk],
            status="planned",
            owner=owner if n % 2 else contributor,
            due_date=days(n + 1),
        )
        services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale=f"Extra {n}", expires_on=days(30))
    services.hazard_delete(hazard_id=h2.pk, by=contributor, expected_version=None)
    services.consequence_create(
        hazard_id=h3.pk,
        by=contributor,
        description="Data exfiltration",
        harm_type="security",
        affected_party="organisation",
        severity=4,
    )
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Sandbox the agent",
        kind="eliminate_by_design",
        hazard_ids=[h1.pk, h3.pk],
        status="implemented",
        owner=owner,
        due_date=days(14),
        external_system="jira",
        external_key="SEC-7",
    )
    valid = services.acceptance_grant(hazard_id=h1.pk, by=approver, rationale="Pilot", expires_on=days(60))
    revoked = services.acceptance_grant(hazard_id=h1.pk, by=approver, rationale="Withdrawn", expires_on=days(60))
    services.acceptance_revoke(acceptance_id=revoked.pk, by=owner, reason="Superseded by the pilot decision")
    lapsed = services.acceptance_grant(hazard_id=h1.pk, by=owner, rationale="Old decision", expires_on=days(5))
    RiskAcceptance.objects.filter(pk=lapsed.pk).update(expires_on=days(-3))
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    return mitigation, valid


def test_a_new_revision_is_a_draft_copy_with_the_same_refs_ratings_links_and_progress(
    assessment, contributor, approver, owner
):
    mitigation, valid = build_register(assessment, contributor, approver, owner)
    rev1 = Assessment.objects.get(pk=assessment.pk)
    rev2 = workflow.assessment_start_revision(assessment_id=rev1.pk, by=contributor)

    assert (rev2.revision, rev2.status, rev2.previous_id, rev2.lineage) == (2, Status.DRAFT, rev1.pk, rev1.lineage)
    assert rev2.content_hash == "" and rev2.approved_snapshot_id is None
    old, new = snapshot.content(rev1), snapshot.content(rev2)
    assert new["assessment"] == {**old["assessment"], "revision": 2}
    assert new["matrix"] == old["matrix"]
    assert new["mitigations"] == old["mitigations"]
    assert [s["ref"] for s in new["scenarios"]] == ["H-001", "H-003"]
    for before, after in zip(old["scenarios"], new["scenarios"], strict=True):
        assert {k: v for k, v in after.items() if k != "acceptances"} == {
            k: v for k, v in before.items() if k != "acceptances"
        }
    # Only the acceptance still valid carries over; the expired one stays behind (revoked ones are not content).
    assert [a["rationale"] for a in old["scenarios"][0]["acceptances"]] == ["Old decision", "Pilot"]
    assert [a["rationale"] for a in new["scenarios"][0]["acceptances"]] == ["Pilot"]
    copied = RiskAcceptance.objects.get(scenario__assessment=rev2)
    assert (copied.accepted_by, copied.expires_on, copied.version) == (approver, valid.expires_on, 1)
    assert copied.pk != valid.pk

    new_mitigation = rev2.mitigations.get()
    assert (new_mitigation.ref, new_mitigation.status, new_mitigation.owner, new_mitigation.external_key) == (
        "M-001",
        "implemented",
        owner,
        "SEC-7",
    )
    assert new_mitigation.version == 1 and new_mitigation.pk != mitigation.pk
    assert all(s.version == 1 for s in rev2.scenarios.all())
    # Ref counters continue: H-002 was deleted in revision 1 and is never reused.
    assert make_hazard(rev2, contributor).ref == "H-004"

    event = AuditEvent.objects.get(action="assessment.revision_started")
    assert (
        event.assessment_id,
        event.changes["revision"],
        event.changes["scenarios"],
        event.changes["acceptances"],
    ) == (
        rev2.pk,
        [1, 2],
        [None, 2],
        [None, 1],
    )
    rev1.refresh_from_db()
    assert rev1.status == Status.APPROVED
    assert workflow.live_hash(rev1) == rev1.approved_snapshot.sha256


def test_copying_takes_the_same_number_of_queries_at_any_size(project, contributor, approver, owner):
    counts = []
    for extra in (0, 15):
        assessment = make_assessment(project, contributor, title=f"Size {extra}")
        build_register(assessment, contributor, approver, owner, extra=extra)
        with CaptureQueriesContext(connection) as queries:
            revision = workflow.assessment_start_revision(assessment_id=assessment.pk, by=contributor)
        counts.append(len(queries))
        event = AuditEvent.objects.get(action="assessment.revision_started", assessment=revision)
        assert {kind: event.changes[kind] for kind in ("scenarios", "consequences", "mitigations", "acceptances")} == {
            "scenarios": [None, 2 + extra],
            "consequences": [None, 1 + extra],
            "mitigations": [None, 1 + extra],
            "acceptances": [None, 1 + extra],
        }
        # The rows really were copied, links included (H-003 is linked to every mitigation).
        assert revision.scenarios.count() == 2 + extra
        assert Consequence.objects.filter(scenario__assessment=revision).count() == 1 + extra
        assert revision.mitigations.count() == 1 + extra
        assert revision.scenarios.get(ref="H-003").mitigations.count() == 1 + extra
        assert RiskAcceptance.objects.filter(scenario__assessment=revision).count() == 1 + extra
    assert counts[0] == counts[1]
