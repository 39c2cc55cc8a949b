"""Frozen content: every service that writes an assessment's content refuses outside draft and changes requested."""

import datetime

import pytest
from django.utils import timezone

from assessments import services as assessment_services
from assessments.errors import ContentFrozen
from assessments.models import AuditEvent, Status
from assessments.services import workflow
from evaluations.demo import DEMO_RUNS
from evaluations.services import demo as demo_services
from hazards import scoring, services
from hazards.models import Attachment, Consequence, EvidenceCitation, RiskAcceptance
from tests import attachment_files
from tests.assessments.workflow_states import reach
from tests.factories import make_hazard

FROZEN = [Status.IN_REVIEW, Status.APPROVED, Status.SUPERSEDED, Status.ARCHIVED]


def _h1(a):
    return a.scenarios.get(ref="H-001")


def _m1(a):
    return a.mitigations.get(ref="M-001")


# Each entry: one write path, called as the owner (who may do everything), on the frozen assessment `a`.
CONTENT_WRITES = {
    "hazard_create": lambda a, by: services.hazard_create(assessment_id=a.pk, by=by, title="New"),
    "hazard_update": lambda a, by: services.hazard_update(
        hazard_id=_h1(a).pk, by=by, expected_version=None, title="Renamed"
    ),
    "hazard_delete": lambda a, by: services.hazard_delete(hazard_id=_h1(a).pk, by=by, expected_version=None),
    "consequence_create": lambda a, by: services.consequence_create(
        hazard_id=_h1(a).pk, by=by, description="More harm", harm_type="legal", affected_party="society", severity=2
    ),
    "consequence_update": lambda a, by: services.consequence_update(
        consequence_id=Consequence.objects.get(scenario=_h1(a)).pk, by=by, expected_version=None, severity=1
    ),
    "consequence_delete": lambda a, by: services.consequence_delete(
        consequence_id=Consequence.objects.get(scenario=_h1(a)).pk, by=by, expected_version=None
    ),
    "mitigation_create": lambda a, by: services.mitigation_create(
        assessment_id=a.pk, by=by, title="Review", kind="process_control"
    ),
    "mitigation_update": lambda a, by: services.mitigation_update(
        mitigation_id=_m1(a).pk, by=by, expected_version=None, title="Renamed"
    ),
    "mitigation_delete": lambda a, by: services.mitigation_delete(
        mitigation_id=_m1(a).pk, by=by, expected_version=None
    ),
    "mitigation_edit": lambda a, by: services.mitigation_edit(
        mitigation_id=_m1(a).pk, by=by, expected_version=None, title="Renamed", hazard_ids=[_h1(a).pk]
    ),
    "mitigation_set_scenarios": lambda a, by: services.mitigation_set_scenarios(
        mitigation_id=_m1(a).pk, by=by, expected_version=None, hazard_ids=[_h1(a).pk]
    ),
    "mitigation_link": lambda a, by: services.mitigation_link(
        mitigation_id=_m1(a).pk, hazard_id=_h1(a).pk, by=by, expected_version=None
    ),
    "mitigation_unlink": lambda a, by: services.mitigation_unlink(
        mitigation_id=_m1(a).pk, hazard_id=a.scenarios.get(ref="H-002").pk, by=by, expected_version=None
    ),
    "hazards_from_templates": lambda a, by: services.hazards_from_templates(
        assessment_id=a.pk, template_keys=["SEC-01"], by=by
    ),
    "assessment_set_matrix": lambda a, by: services.assessment_set_matrix(
        assessment_id=a.pk, by=by, expected_version=None, matrix=scoring.preset("mil_std_882e")
    ),
    "assessment_update": lambda a, by: assessment_services.assessment_update(
        assessment_id=a.pk, by=by, expected_version=None, model_version="9.9"
    ),
    "citation_create": lambda a, by: services.citation_create(
        hazard_id=_h1(a).pk,
        by=by,
        run_id=EvidenceCitation.objects.get(scenario__assessment=a).run_id,
        relation="capability_gap",
    ),
    "citation_delete": lambda a, by: services.citation_delete(
        citation_id=EvidenceCitation.objects.get(scenario__assessment=a).pk, by=by
    ),
    "suggestion_accept": lambda a, by: services.suggestion_accept(
        citation_id=EvidenceCitation.objects.get(scenario__assessment=a).pk, by=by, expected_version=None
    ),
    "attachment_upload": lambda a, by: services.attachment_upload(
        by=by, upload=attachment_files.upload("late.pdf", attachment_files.PDF), hazard_id=_h1(a).pk
    ),
    "attachment_link": lambda a, by: services.attachment_link(
        by=by, url="https://example.com/late", mitigation_id=_m1(a).pk
    ),
    "attachment_delete": lambda a, by: services.attachment_delete(
        attachment_id=Attachment.objects.get(assessment=a).pk, by=by
    ),
    "acceptance_grant": lambda a, by: services.acceptance_grant(
        hazard_id=_h1(a).pk,
        by=by,
        rationale="Late acceptance",
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    ),
}
# Progress tracking and decisions that may follow sign-off: allowed in review and once approved, not later.
TRACKING_WRITES = {
    "mitigation_update(status)": lambda a, by: services.mitigation_update(
        mitigation_id=_m1(a).pk, by=by, expected_version=None, status="implemented"
    ),
    "acceptance_revoke": lambda a, by: services.acceptance_revoke(
        acceptance_id=RiskAcceptance.objects.get(scenario=_h1(a)).pk, by=by, reason="No longer acceptable"
    ),
}
# Services that write no assessment content (projects, members, comments, the catalogue, the workflow itself).
NOT_CONTENT = {
    "catalogue_load",
    "comment_create",
    "acceptances_expire",
    "project_create",
    "project_update",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "assessment_create",
}


@pytest.fixture
def frozen(request, project, assessment, contributor, reviewer, approver, owner):
    """An assessment in the requested frozen state, with a scenario that has a consequence and an acceptance."""
    scenario = make_hazard(assessment, contributor)
    services.consequence_create(
        hazard_id=scenario.pk,
        by=contributor,
        description="A defect ships",
        harm_type="technical",
        affected_party="end_users",
        severity=3,
    )
    services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="Bounded",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    run = demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[1])
    services.citation_create(hazard_id=scenario.pk, by=contributor, run_id=run.pk, relation="capability_enabled")
    services.attachment_link(by=contributor, url="https://ci.example.com/run/1", hazard_id=scenario.pk)
    return reach(request.param, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner)


def test_every_public_write_service_is_covered_here():
    public = set(services.__all__) | set(assessment_services.__all__)
    covered = {name.split("(")[0] for name in [*CONTENT_WRITES, *TRACKING_WRITES]}
    assert public - NOT_CONTENT == covered


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize("write", list(CONTENT_WRITES))
def test_content_writes_are_refused_with_a_clear_message(frozen, write, owner, request):
    if write == "hazards_from_templates":
        request.getfixturevalue("catalogue")
    before_hash = workflow.live_hash(frozen)
    events = AuditEvent.objects.count()
    with pytest.raises(ContentFrozen) as refused:
        CONTENT_WRITES[write](frozen, owner)
    label = Status(frozen.status).label.lower()
    assert str(refused.value).startswith(f"“IDE assistant rollout” revision 1 is {label};")
    assert workflow.live_hash(frozen) == before_hash
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize("write", list(TRACKING_WRITES))
def test_tracking_writes_are_allowed_until_the_revision_is_history(frozen, write, owner):
    events = AuditEvent.objects.count()
    if frozen.status in (Status.IN_REVIEW, Status.APPROVED):
        TRACKING_WRITES[write](frozen, owner)
        assert AuditEvent.objects.count() == events + 1
    else:
        with pytest.raises(ContentFrozen, match="nothing in it can change any more"):
            TRACKING_WRITES[write](frozen, owner)
        assert AuditEvent.objects.count() == events


def test_the_messages_say_what_to_do_next(project, assessment, contributor, reviewer, approver, owner):
    in_review = reach(
        Status.IN_REVIEW, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner
    )
    with pytest.raises(ContentFrozen, match="Ask a reviewer to request changes first"):
        services.hazard_create(assessment_id=in_review.pk, by=owner, title="x")
    workflow.assessment_approve(assessment_id=in_review.pk, by=approver)
    with pytest.raises(ContentFrozen, match="Start a new revision to change it"):
        services.hazard_create(assessment_id=in_review.pk, by=owner, title="x")
