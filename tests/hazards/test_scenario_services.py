"""Scenario services: validation, derived risk levels, optimistic locking and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied

from assessments.errors import ContentFrozen, InvalidInput, StaleVersion
from assessments.models import AuditEvent, Status
from hazards import services
from hazards.models import HazardScenario
from tests.factories import make_hazard


def test_create_gives_the_next_ref_and_derives_levels(assessment, contributor):
    first = make_hazard(assessment, contributor)
    second = make_hazard(assessment, contributor, title="Weak crypto", inherent_likelihood=4, inherent_severity=4)
    assert (first.ref, second.ref) == ("H-001", "H-002")
    assert (second.inherent_level, second.inherent_rank) == ("high", 4)
    assert (first.residual_level, first.residual_rank) == ("medium", 2)


def test_refs_are_never_reused_after_a_deletion(assessment, contributor):
    make_hazard(assessment, contributor)
    second = make_hazard(assessment, contributor)
    services.hazard_delete(hazard_id=second.pk, by=contributor, expected_version=second.version)
    assert make_hazard(assessment, contributor).ref == "H-003"


def test_create_writes_an_audit_event_with_the_new_values(assessment, contributor):
    scenario = make_hazard(assessment, contributor, title="Slopsquatting")
    event = AuditEvent.objects.get(action="hazard.created", object_id=scenario.pk)
    assert event.actor == contributor
    assert event.via == "web"
    assert event.object_ref == "H-001"
    assert event.assessment == assessment
    assert event.changes["title"] == [None, "Slopsquatting"]


def test_update_records_before_and_after_of_changed_fields_only(assessment, contributor, reviewer):
    scenario = make_hazard(assessment, contributor)
    updated = services.hazard_update(
        hazard_id=scenario.pk,
        by=contributor,
        expected_version=1,
        title=scenario.title,
        residual_likelihood=4,
        owner=reviewer,
    )
    assert updated.version == 2
    event = AuditEvent.objects.filter(action="hazard.updated").latest("id")
    assert event.changes == {
        "residual_likelihood": [2, 4],
        "owner": [None, "bob"],
        "residual_level": ["medium", "serious"],
    }


def test_a_stale_version_is_refused_and_overwrites_nothing(assessment, contributor, reviewer):
    scenario = make_hazard(assessment, contributor)
    services.hazard_update(hazard_id=scenario.pk, by=reviewer, expected_version=1, title="Bob's title")
    events_before = AuditEvent.objects.count()
    with pytest.raises(StaleVersion) as excinfo:
        services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=1, title="Alice's title")
    assert excinfo.value.current.title == "Bob's title"
    assert "changed by someone else" in str(excinfo.value)
    scenario.refresh_from_db()
    assert (scenario.title, scenario.version) == ("Bob's title", 2)
    assert AuditEvent.objects.count() == events_before


def test_an_unchanged_save_writes_nothing(assessment, contributor):
    scenario = make_hazard(assessment, contributor)
    services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=1, title=scenario.title)
    scenario.refresh_from_db()
    assert scenario.version == 1
    assert not AuditEvent.objects.filter(action="hazard.updated").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "required"),
        ("inherent_likelihood", 6, "between 1 and 5"),
        ("residual_severity", 0, "between 1 and 5"),
        ("category", "astrology", "Choose one of"),
        ("treatment", "ignore", "Choose one of"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(assessment, contributor, field, value, message):
    scenario = make_hazard(assessment, contributor)
    with pytest.raises(InvalidInput) as excinfo:
        services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=1, **{field: value})
    assert message in " ".join(excinfo.value.errors[field])
    scenario.refresh_from_db()
    assert scenario.version == 1


def test_the_owner_must_be_a_project_member(assessment, contributor, outsider):
    with pytest.raises(InvalidInput, match="not a member"):
        make_hazard(assessment, contributor, owner=outsider)


def test_unknown_fields_are_refused(assessment, contributor):
    with pytest.raises(InvalidInput, match="Unknown fields: number, version"):
        make_hazard(assessment, contributor, number=7, version=9)


@pytest.mark.parametrize("role_user", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_write(assessment, contributor, role_user, request):
    user = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        make_hazard(assessment, user)
    scenario = make_hazard(assessment, contributor)
    with pytest.raises(PermissionDenied):
        services.hazard_update(hazard_id=scenario.pk, by=user, expected_version=1, title="x")
    with pytest.raises(PermissionDenied):
        services.hazard_delete(hazard_id=scenario.pk, by=user, expected_version=1)


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.APPROVED, Status.SUPERSEDED, Status.ARCHIVED])
def test_content_is_frozen_outside_draft_and_changes_requested(assessment, contributor, status):
    scenario = make_hazard(assessment, contributor)
    type(assessment).objects.filter(pk=assessment.pk).update(status=status)
    with pytest.raises(ContentFrozen, match="can only change in draft"):
        services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=1, title="x")
    with pytest.raises(ContentFrozen):
        make_hazard(assessment, contributor)
    with pytest.raises(ContentFrozen):
        services.hazard_delete(hazard_id=scenario.pk, by=contributor, expected_version=1)
    assert HazardScenario.objects.get(pk=scenario.pk).title == scenario.title


def test_delete_keeps_the_deleted_values_in_the_audit_trail(assessment, contributor):
    scenario = make_hazard(assessment, contributor, title="Going away")
    services.hazard_delete(hazard_id=scenario.pk, by=contributor, expected_version=1)
    assert not HazardScenario.objects.filter(pk=scenario.pk).exists()
    event = AuditEvent.objects.get(action="hazard.deleted")
    assert event.object_id == scenario.pk
    assert event.changes["title"] == ["Going away", None]


def test_changing_the_matrix_rescores_and_clears_ratings_off_the_new_axes(assessment, contributor, owner):
    from hazards import scoring

    scenario = make_hazard(assessment, contributor, inherent_likelihood=5, inherent_severity=5)
    services.assessment_set_matrix(
        assessment_id=assessment.pk,
        by=owner,
        expected_version=assessment.version,
        matrix=scoring.preset("mil_std_882e"),
    )
    scenario.refresh_from_db()
    assert scenario.inherent_severity is None
    assert scenario.inherent_level == ""
    assert scenario.residual_level == "medium"  # (2, 3) on 882E: Remote / Critical
    event = AuditEvent.objects.filter(action="assessment.updated").latest("id")
    assert event.changes["ratings_cleared"] == [0, 1]
