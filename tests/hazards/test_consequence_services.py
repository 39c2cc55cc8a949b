"""Consequence services: first-class harms with their own severity."""

import pytest

from assessments.errors import InvalidInput, StaleVersion
from assessments.models import AuditEvent
from hazards import services
from tests.factories import make_hazard


def _consequence(scenario, by, **fields):
    values = {
        "description": "Vulnerable code reaches production",
        "harm_type": "security",
        "affected_party": "end_users",
        "severity": 4,
        **fields,
    }
    return services.consequence_create(hazard_id=scenario.pk, by=by, **values)


def test_an_unrated_scenario_takes_the_severity_of_its_worst_consequence(assessment, contributor):
    scenario = make_hazard(assessment, contributor, inherent_severity=None, inherent_likelihood=4)
    _consequence(scenario, contributor, severity=2)
    _consequence(scenario, contributor, severity=4)
    scenario.refresh_from_db()
    assert scenario.inherent_severity == 2  # set by the first, kept once rated
    other = make_hazard(assessment, contributor, inherent_severity=None)
    _consequence(other, contributor, severity=5)
    other.refresh_from_db()
    assert (other.inherent_severity, other.inherent_level) == (5, "high")


def test_create_update_delete_are_audited_under_the_scenario_ref(assessment, contributor):
    scenario = make_hazard(assessment, contributor)
    consequence = _consequence(scenario, contributor)
    services.consequence_update(consequence_id=consequence.pk, by=contributor, expected_version=1, severity=5)
    services.consequence_delete(consequence_id=consequence.pk, by=contributor, expected_version=2)
    events = list(AuditEvent.objects.filter(object_type="consequence").order_by("id"))
    assert [e.action for e in events] == ["consequence.created", "consequence.updated", "consequence.deleted"]
    assert {e.object_ref for e in events} == {"H-001"}
    assert events[1].changes == {"severity": [4, 5]}


def test_stale_consequence_edit_is_refused(assessment, contributor, reviewer):
    consequence = _consequence(make_hazard(assessment, contributor), contributor)
    services.consequence_update(consequence_id=consequence.pk, by=reviewer, expected_version=1, severity=3)
    with pytest.raises(StaleVersion):
        services.consequence_update(consequence_id=consequence.pk, by=contributor, expected_version=1, severity=5)
    consequence.refresh_from_db()
    assert consequence.severity == 3


@pytest.mark.parametrize(
    ("field", "value"), [("severity", 9), ("harm_type", "spiritual"), ("affected_party", "aliens"), ("description", "")]
)
def test_bad_consequence_input_is_refused_per_field(assessment, contributor, field, value):
    scenario = make_hazard(assessment, contributor)
    with pytest.raises(InvalidInput) as excinfo:
        _consequence(scenario, contributor, **{field: value})
    assert field in excinfo.value.errors
    assert not scenario.consequences.exists()


def test_missing_consequence_fields_are_named(assessment, contributor):
    scenario = make_hazard(assessment, contributor)
    with pytest.raises(InvalidInput) as excinfo:
        services.consequence_create(hazard_id=scenario.pk, by=contributor, description="x")
    assert set(excinfo.value.errors) == {"harm_type", "affected_party", "severity"}
