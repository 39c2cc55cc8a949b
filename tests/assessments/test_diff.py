"""The diff between two revisions: built by hand through the services, then compared field by field."""

import copy
import datetime
import json

import pytest
from django.utils import timezone

from assessments import diff, snapshot
from assessments.errors import InvalidInput
from assessments.services import assessment_update
from assessments.services import workflow as transitions
from hazards import services
from hazards.models import Consequence, HazardScenario, Mitigation, RiskAcceptance
from tests.factories import make_assessment, make_hazard

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def revisions(assessment, contributor, approver, approver2, owner):
    """Revision 1 (approved) and revision 2 (a draft with one change of every kind)."""
    assessment_update(assessment_id=assessment.pk, by=contributor, expected_version=None, model_version="1.0")
    h1 = make_hazard(assessment, contributor)
    h2 = make_hazard(assessment, contributor, title="Secrets in suggestions", residual_likelihood=2)
    h3 = make_hazard(
        assessment,
        contributor,
        title="Persuasive political content",
        treatment="accept",
        residual_likelihood=4,
        residual_severity=4,
    )
    services.consequence_create(
        hazard_id=h1.pk,
        by=contributor,
        description="Bug ships",
        harm_type="technical",
        affected_party="end_users",
        severity=3,
    )
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="SAST gate", kind="technical_control", hazard_ids=[h1.pk]
    )
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Secret scanner",
        kind="technical_control",
        hazard_ids=[h2.pk],
    )
    services.acceptance_grant(hazard_id=h3.pk, by=approver, rationale="Low exposure", expires_on=days(30))
    services.acceptance_grant(hazard_id=h3.pk, by=approver2, rationale="Backup view", expires_on=days(10))
    services.acceptance_grant(hazard_id=h3.pk, by=owner, rationale="Owner view", expires_on=days(20))
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    rev1 = transitions.assessment_approve(assessment_id=assessment.pk, by=approver)

    rev2 = transitions.assessment_start_revision(assessment_id=rev1.pk, by=contributor)
    assessment_update(assessment_id=rev2.pk, by=contributor, expected_version=None, model_version="2.0")
    n1, n2, n3 = (rev2.scenarios.get(ref=ref) for ref in ("H-001", "H-002", "H-003"))
    services.hazard_update(hazard_id=n1.pk, by=contributor, expected_version=None, residual_likelihood=4)
    services.consequence_update(
        consequence_id=Consequence.objects.get(scenario=n1).pk, by=contributor, expected_version=None, severity=4
    )
    services.consequence_create(
        hazard_id=n1.pk,
        by=contributor,
        description="Outage",
        harm_type="technical",
        affected_party="organisation",
        severity=2,
    )
    services.hazard_delete(hazard_id=n2.pk, by=contributor, expected_version=None)
    services.mitigation_delete(
        mitigation_id=rev2.mitigations.get(ref="M-002").pk, by=contributor, expected_version=None
    )
    h4 = make_hazard(rev2, contributor, title="Licence contamination")
    m1 = rev2.mitigations.get(ref="M-001")
    services.mitigation_update(mitigation_id=m1.pk, by=contributor, expected_version=None, title="SAST gate in CI")
    services.mitigation_link(mitigation_id=m1.pk, hazard_id=h4.pk, by=contributor, expected_version=None)
    services.mitigation_create(
        assessment_id=rev2.pk, by=contributor, title="Licence scanner", kind="technical_control", hazard_ids=[h4.pk]
    )
    for acceptance in RiskAcceptance.objects.filter(scenario=n3, accepted_by__in=[approver, approver2]):
        services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="Re-decide")
    services.acceptance_grant(hazard_id=n3.pk, by=approver, rationale="Low exposure", expires_on=days(60))
    rev1.refresh_from_db()
    rev2.refresh_from_db()
    return rev1, rev2


def test_the_diff_of_two_revisions_lists_every_kind_of_change(revisions):
    rev1, rev2 = revisions
    result = diff.diff_assessments(rev1, rev2)

    assert result["from"] == {
        "assessment_id": rev1.pk,
        "revision": 1,
        "status": "approved",
        "source": "approved_snapshot",
        "sha256": rev1.content_hash,
    }
    assert result["to"]["source"] == "live"
    assert result["to"]["sha256"] == snapshot.build(rev2)[1]
    assert result["as_of"] == TODAY.isoformat()
    assert result["context"] == [{"field": "model_version", "label": "Model version", "before": "1.0", "after": "2.0"}]
    assert [s["ref"] for s in result["scenarios"]["added"]] == ["H-004"]
    assert result["scenarios"]["added"][0]["residual"] == {
        "likelihood": 2,
        "severity": 3,
        "level": "medium",
        "level_name": "Medium",
        "rank": 2,
    }
    assert [(s["ref"], s["title"]) for s in result["scenarios"]["removed"]] == [("H-002", "Secrets in suggestions")]

    h1, h3 = result["scenarios"]["changed"]
    assert h1["ref"] == "H-001"
    assert h1["fields"] == []
    assert h1["inherent"] is None
    assert h1["residual"]["direction"] == "up"
    assert (h1["residual"]["before"]["level"], h1["residual"]["after"]["level"]) == ("medium", "serious")
    assert (h1["residual"]["before"]["likelihood"], h1["residual"]["after"]["likelihood"]) == (2, 4)
    assert h1["consequences"]["added"] == [
        {"description": "Outage", "harm_type": "technical", "affected_party": "organisation", "severity": 2}
    ]
    assert h1["consequences"]["removed"] == []
    assert h1["consequences"]["changed"][0]["fields"] == [
        {"field": "severity", "label": "Severity", "before": 3, "after": 4}
    ]
    assert h3["ref"] == "H-003"
    assert h3["acceptances"]["changed"][0]["fields"] == [
        {"field": "expires_on", "label": "Expires on", "before": days(30).isoformat(), "after": days(60).isoformat()}
    ]
    assert [a["accepted_by"] for a in h3["acceptances"]["removed"]] == ["dave"]

    assert result["mitigations"]["added"] == [
        {"ref": "M-003", "title": "Licence scanner", "kind": "technical_control", "scenarios": ["H-004"]}
    ]
    assert [m["ref"] for m in result["mitigations"]["removed"]] == ["M-002"]
    assert result["mitigations"]["changed"] == [
        {
            "ref": "M-001",
            "title": "SAST gate in CI",
            "fields": [{"field": "title", "label": "Title", "before": "SAST gate", "after": "SAST gate in CI"}],
            "scenarios": {"added": ["H-004"], "removed": []},
            "attachments": {"added": [], "removed": [], "changed": []},
        }
    ]
    assert [(a["scenario"], a["accepted_by"]) for a in result["acceptances"]["revoked"]] == [("H-003", "dave")]
    assert [(a["scenario"], a["after"]["accepted_by"]) for a in result["acceptances"]["changed"]] == [
        ("H-003", "carol")
    ]
    assert result["summary"] == {
        "has_changes": True,
        "context_changed": 1,
        "scenarios_added": 1,
        "scenarios_removed": 1,
        "scenarios_changed": 2,
        "inherent_up": 0,
        "inherent_down": 0,
        "residual_up": 1,
        "residual_down": 0,
        "consequences_added": 1,
        "consequences_removed": 0,
        "consequences_changed": 1,
        "evidence_added": 0,
        "evidence_removed": 0,
        "evidence_changed": 0,
        "attachments_added": 0,
        "attachments_removed": 0,
        "attachments_changed": 0,
        "mitigations_added": 1,
        "mitigations_removed": 1,
        "mitigations_changed": 1,
        "acceptances_granted": 0,
        "acceptances_expired": 0,
        "acceptances_revoked": 1,
        "acceptances_changed": 1,
    }


def test_an_acceptance_past_its_date_is_listed_as_expired_not_revoked(revisions):
    rev1, rev2 = revisions
    later = diff.diff_assessments(rev1, rev2, as_of=days(15))
    assert [(a["accepted_by"], a["expires_on"]) for a in later["acceptances"]["expired"]] == [
        ("dave", days(10).isoformat())
    ]
    assert later["acceptances"]["revoked"] == []
    # Kept unchanged on both sides, but past its date by then: expired too.
    much_later = diff.diff_assessments(rev1, rev2, as_of=days(25))
    assert sorted(a["accepted_by"] for a in much_later["acceptances"]["expired"]) == ["dave", "olivia"]


def test_the_diff_is_json_ready_stable_and_the_same_from_stored_canonical_text(revisions):
    rev1, rev2 = revisions
    first = diff.diff_assessments(rev1, rev2)
    second = diff.diff_assessments(rev1, rev2)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    from_text = diff.diff_contents(json.loads(rev1.approved_snapshot.canonical), snapshot.content(rev2))
    assert from_text == {k: v for k, v in first.items() if k not in ("from", "to")}


def test_a_revision_compared_with_itself_has_no_changes(revisions):
    rev1, _ = revisions
    result = diff.diff_assessments(rev1, rev1)
    assert result["summary"]["has_changes"] is False
    assert result["scenarios"] == {"added": [], "removed": [], "changed": []}


def test_a_freshly_started_revision_differs_only_in_acceptances_that_did_not_carry_over(
    assessment, contributor, approver
):
    scenario = make_hazard(assessment, contributor, treatment="accept")
    services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale="Bounded", expires_on=days(5))
    # Time passes: the acceptance has run out by the time the revision is signed and copied.
    RiskAcceptance.objects.filter(scenario=scenario).update(expires_on=days(-1))
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    transitions.assessment_approve(assessment_id=assessment.pk, by=approver)
    rev2 = transitions.assessment_start_revision(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    result = diff.diff_assessments(assessment, rev2)
    assert [a["accepted_by"] for a in result["acceptances"]["expired"]] == ["carol"]
    assert result["summary"]["scenarios_changed"] == 1
    assert result["summary"]["acceptances_expired"] == 1
    assert result["context"] == []


def test_revisions_of_different_assessments_cannot_be_compared(assessment, project, contributor):
    other = make_assessment(project, contributor, title="Another")
    with pytest.raises(InvalidInput, match="same assessment"):
        diff.diff_assessments(assessment, other)


# --- diff_contents on hand-written content --------------------------------------------------------------


def _content(**scenario_overrides):
    return {
        "schema": snapshot.SCHEMA,
        "assessment": {"title": "A", "model_name": "M", "model_version": "1", "scope": ""},
        "matrix": {"name": "Tiny", "levels": [{"key": "lo", "name": "Low"}, {"key": "hi", "name": "High"}]},
        "scenarios": [
            {
                "ref": "H-002",
                "title": "Two",
                "inherent": {"likelihood": 2, "severity": 2, "level": "hi"},
                "residual": {"likelihood": 2, "severity": 2, "level": "hi"},
                "consequences": [],
                "acceptances": [],
                **scenario_overrides,
            },
            {
                "ref": "H-010",
                "title": "Ten",
                "inherent": {"likelihood": 1, "severity": 1, "level": "lo"},
                "residual": {"likelihood": None, "severity": None, "level": None},
                "consequences": [],
                "acceptances": [],
            },
        ],
        "mitigations": [],
    }


def test_a_lower_residual_level_is_reported_as_risk_going_down():
    result = diff.diff_contents(
        _content(), _content(residual={"likelihood": 1, "severity": 1, "level": "lo"}), as_of=TODAY
    )
    (change,) = result["scenarios"]["changed"]
    assert change["residual"]["direction"] == "down"
    assert (change["residual"]["before"]["level_name"], change["residual"]["after"]["level_name"]) == ("High", "Low")
    assert result["summary"]["residual_down"] == 1


def test_rating_an_unrated_scenario_has_no_direction_and_refs_sort_naturally():
    old = _content()
    # Refs whose text order ("H-1000" < "H-999") is not their natural order.
    old["scenarios"][0]["ref"], old["scenarios"][1]["ref"] = "H-1000", "H-999"
    new = copy.deepcopy(old)
    new["scenarios"][1]["residual"] = {"likelihood": 1, "severity": 1, "level": "lo"}
    new["scenarios"][0]["title"] = "Two, renamed"
    result = diff.diff_contents(old, new, as_of=TODAY)
    assert [c["ref"] for c in result["scenarios"]["changed"]] == ["H-999", "H-1000"]
    assert result["scenarios"]["changed"][0]["residual"]["direction"] is None
    assert result["scenarios"]["changed"][0]["residual"]["after"]["level_name"] == "Low"
    assert result["scenarios"]["changed"][1]["residual"] is None


def test_refs_past_999_sort_by_number_not_as_text():
    # "H-1000" < "H-999" as text; every list of the diff must put 999 first.
    def mitigation(ref, title, scenarios):
        return {"ref": ref, "title": title, "description": "", "kind": "process_control", "scenarios": scenarios}

    old = _content()
    old["scenarios"] = [
        {**old["scenarios"][0], "ref": "H-1000", "title": "Thousand"},
        {**old["scenarios"][0], "ref": "H-999", "title": "Nine nine nine"},
        {**old["scenarios"][0], "ref": "H-10000", "title": "Ten thousand"},
        {**old["scenarios"][0], "ref": "H-9999", "title": "Four nines"},
    ]
    old["mitigations"] = [
        mitigation("M-1000", "Thousand", []),
        mitigation("M-999", "Nine nine nine", ["H-999"]),
        mitigation("M-10000", "Ten thousand", []),
        mitigation("M-9999", "Four nines", []),
    ]
    new = copy.deepcopy(old)
    new["scenarios"] = [{**scenario, "title": scenario["title"] + ", renamed"} for scenario in new["scenarios"][:2]]
    new["scenarios"] += [
        {**old["scenarios"][0], "ref": "H-1001", "title": "Added later"},
        {**old["scenarios"][0], "ref": "H-998", "title": "Added earlier"},
    ]
    new["mitigations"] = [
        mitigation("M-1000", "Thousand, renamed", ["H-1000", "H-999", "H-1001", "H-998"]),
        mitigation("M-999", "Nine nine nine, renamed", ["H-999"]),
        mitigation("M-1001", "Added later", ["H-1001", "H-998"]),
        mitigation("M-998", "Added earlier", []),
    ]
    result = diff.diff_contents(old, new, as_of=TODAY)
    assert [c["ref"] for c in result["scenarios"]["changed"]] == ["H-999", "H-1000"]
    assert [c["ref"] for c in result["scenarios"]["added"]] == ["H-998", "H-1001"]
    assert [c["ref"] for c in result["scenarios"]["removed"]] == ["H-9999", "H-10000"]
    assert [c["ref"] for c in result["mitigations"]["changed"]] == ["M-999", "M-1000"]
    assert [c["ref"] for c in result["mitigations"]["added"]] == ["M-998", "M-1001"]
    assert [c["ref"] for c in result["mitigations"]["removed"]] == ["M-9999", "M-10000"]
    thousand = result["mitigations"]["changed"][1]
    assert thousand["scenarios"] == {"added": ["H-998", "H-999", "H-1000", "H-1001"], "removed": []}
    assert result["mitigations"]["added"][1]["scenarios"] == ["H-998", "H-1001"]


def test_an_edited_matrix_with_the_same_name_is_reported_as_edited():
    old = _content()
    new = copy.deepcopy(old)
    new["matrix"]["levels"][1]["name"] = "Severe"
    result = diff.diff_contents(old, new, as_of=TODAY)
    assert result["context"] == [
        {"field": "matrix", "label": "Risk matrix", "before": "Tiny", "after": "Tiny (edited)"}
    ]


def test_consequences_pair_by_description_then_by_harm_and_party():
    base = {"description": "Leak", "harm_type": "security", "affected_party": "end_users", "severity": 3}
    reworded = {**base, "description": "Leak of tokens"}
    other = {"description": "Fine", "harm_type": "legal", "affected_party": "organisation", "severity": 2}
    result = diff.diff_contents(_content(consequences=[base, other]), _content(consequences=[reworded]), as_of=TODAY)
    (change,) = result["scenarios"]["changed"]
    assert change["consequences"]["changed"][0]["fields"] == [
        {"field": "description", "label": "Description", "before": "Leak", "after": "Leak of tokens"}
    ]
    assert change["consequences"]["removed"] == [other]
    assert change["consequences"]["added"] == []


def test_acceptances_of_an_added_scenario_count_as_granted():
    old = _content()
    new = copy.deepcopy(old)
    acceptance = {"accepted_by": "carol", "rationale": "r", "conditions": "", "expires_on": days(9).isoformat()}
    new["scenarios"].append({**new["scenarios"][0], "ref": "H-011", "acceptances": [acceptance]})
    result = diff.diff_contents(old, new, as_of=TODAY)
    assert result["acceptances"]["granted"] == [{"scenario": "H-011", **acceptance}]


def test_the_diff_reads_rows_only_through_the_snapshot(revisions, django_assert_max_num_queries):
    rev1, rev2 = revisions
    rev1 = type(rev1).objects.select_related("approved_snapshot").get(pk=rev1.pk)
    rev2 = type(rev2).objects.get(pk=rev2.pk)
    # Seven queries for the live content (scenarios, consequences, acceptances, mitigations, links, evidence,
    # attachments), none for the approved snapshot (selected with the revision).
    with django_assert_max_num_queries(7):
        diff.diff_assessments(rev1, rev2)
    assert HazardScenario.objects.filter(assessment=rev2).count() == 3
    assert Mitigation.objects.filter(assessment=rev2).count() == 2
