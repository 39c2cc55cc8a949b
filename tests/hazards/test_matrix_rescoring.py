"""Re-rating an assessment on another matrix writes only the scenarios it changes, each with its own event."""

from assessments.models import AuditEvent
from hazards import scoring, services
from hazards.models import HazardScenario
from tests.factories import make_hazard

MIL_STD = "mil_std_882e"  # 4 severities: a severity of 5 is off its axis


def rerate(assessment, owner, preset=MIL_STD):
    assessment.refresh_from_db()
    return services.assessment_set_matrix(
        assessment_id=assessment.pk, by=owner, expected_version=assessment.version, matrix=scoring.preset(preset)
    )


def test_only_scenarios_whose_ratings_or_levels_change_get_a_new_version_and_an_event(assessment, contributor, owner):
    # On the default 5 × 5 and on MIL-STD-882E alike: (1, 1) is low and (2, 3) is medium.
    same = make_hazard(
        assessment, contributor, inherent_likelihood=1, inherent_severity=1, residual_likelihood=2, residual_severity=3
    )
    # (4, 3) is serious on the default matrix and high on MIL-STD-882E.
    relevelled = make_hazard(
        assessment, contributor, inherent_likelihood=4, inherent_severity=3, residual_likelihood=1, residual_severity=1
    )
    cleared = make_hazard(
        assessment, contributor, inherent_likelihood=5, inherent_severity=5, residual_likelihood=2, residual_severity=3
    )
    same_updated_at = same.updated_at

    result = rerate(assessment, owner)

    assert (result.changed, result.ratings_cleared, result.scenarios_changed) == (True, 1, 2)
    fresh = {s.pk: s for s in HazardScenario.objects.all()}
    assert (fresh[same.pk].version, fresh[same.pk].updated_at) == (1, same_updated_at)
    assert (fresh[relevelled.pk].version, fresh[relevelled.pk].inherent_level) == (2, "high")
    assert fresh[cleared.pk].version == 2
    assert (fresh[cleared.pk].inherent_severity, fresh[cleared.pk].inherent_level) == (None, "")
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="hazard.updated")}
    assert set(events) == {relevelled.pk, cleared.pk}
    assert events[relevelled.pk].changes == {"inherent_level": ["serious", "high"]}
    assert events[cleared.pk].changes == {"inherent_severity": [5, None], "inherent_level": ["high", ""]}
    assert {(e.actor, e.via, e.object_ref) for e in events.values()} == {
        (owner, "web", "H-002"),
        (owner, "web", "H-003"),
    }


def test_an_edit_form_opened_before_the_rerating_still_saves_an_unchanged_scenario(assessment, contributor, owner):
    scenario = make_hazard(
        assessment, contributor, inherent_likelihood=1, inherent_severity=1, residual_likelihood=1, residual_severity=1
    )
    rerate(assessment, owner)
    updated = services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=1, title="Renamed")
    assert (updated.title, updated.version) == ("Renamed", 2)


def test_choosing_the_matrix_the_assessment_is_on_changes_nothing(assessment, contributor, owner):
    make_hazard(assessment, contributor, inherent_likelihood=5, inherent_severity=5)
    rerate(assessment, owner)
    before = AuditEvent.objects.count()
    result = rerate(assessment, owner)
    assert (result.changed, result.ratings_cleared, result.scenarios_changed) == (False, 0, 0)
    assert AuditEvent.objects.count() == before
