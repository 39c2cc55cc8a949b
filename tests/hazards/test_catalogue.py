"""The code-synthesis hazard catalogue: its content, the idempotent loader and instantiation."""

import shutil

import pytest
import yaml
from django.core.management import call_command

from assessments.errors import InvalidInput
from assessments.models import AuditEvent
from hazards import scoring, services
from hazards.catalogue.loader import DEFAULT_PATH, CatalogueError, read_catalogue
from hazards.models import Category, HazardTemplate, Mitigation

AREAS = [c for c in Category.values if c != "other"]


def test_the_catalogue_has_at_least_35_templates_covering_every_area():
    data = read_catalogue()
    assert len(data["templates"]) >= 35
    by_area = {area: [t for t in data["templates"] if t["area"] == area] for area in AREAS}
    assert all(len(templates) >= 3 for templates in by_area.values()), {k: len(v) for k, v in by_area.items()}


def test_every_template_has_causes_consequences_ratings_and_mitigations_in_precedence_order():
    order = {
        kind: i
        for i, kind in enumerate(
            [
                "eliminate_by_design",
                "technical_control",
                "access_control_monitoring",
                "process_control",
                "documentation_training",
            ]
        )
    }
    for template in read_catalogue()["templates"]:
        assert template["causes"] and template["consequences"] and template["mitigations"], template["key"]
        assert 1 <= template["default_likelihood"] <= 5 and 1 <= template["default_severity"] <= 5
        ranks = [order[m["kind"]] for m in template["mitigations"]]
        assert ranks == sorted(ranks), template["key"]


def test_loading_twice_creates_once_and_then_changes_nothing(db):
    first = services.catalogue_load()
    second = services.catalogue_load()
    assert first["created"] == HazardTemplate.objects.count() >= 35
    assert second == {"created": 0, "updated": 0, "unchanged": first["created"], "retired": 0}


def test_a_rerun_updates_templates_in_place_and_retires_removed_ones(db, tmp_path):
    services.catalogue_load()
    app01 = HazardTemplate.objects.get(key="APP-01")
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["templates"][0]["title"] = "Plausible but wrong code (edited)"
    removed = data["templates"].pop()["key"]
    edited = tmp_path / "catalogue.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True))
    counts = services.catalogue_load(path=edited)
    assert counts["updated"] == 1 and counts["retired"] == 1 and counts["created"] == 0
    app01.refresh_from_db()
    assert app01.title == "Plausible but wrong code (edited)"  # same row, same id
    assert HazardTemplate.objects.get(key=removed).retired


def test_a_broken_file_is_refused_before_anything_is_written(db, tmp_path):
    broken = tmp_path / "broken.yaml"
    shutil.copy(DEFAULT_PATH, broken)
    data = yaml.safe_load(broken.read_text())
    data["templates"][0]["default_severity"] = 9
    data["templates"][1]["mitigations"].reverse()
    data["templates"][2]["area"] = "astrology"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(CatalogueError) as excinfo:
        services.catalogue_load(path=broken)
    assert len(excinfo.value.problems) >= 3
    assert not HazardTemplate.objects.exists()


def test_the_command_reports_counts(db, capsys):
    call_command("load_catalogue")
    assert "created" in capsys.readouterr().out


def test_templates_become_scenarios_with_consequences_and_mitigations(catalogue, assessment, contributor):
    scenarios = services.hazards_from_templates(
        assessment_id=assessment.pk, template_keys=["APP-01", "SEC-01"], by=contributor
    )
    app01 = HazardTemplate.objects.get(key="APP-01")
    first = scenarios[0]
    assert (first.ref, first.title, first.category) == ("H-001", app01.title, "application_safety")
    assert (first.inherent_likelihood, first.inherent_severity) == (app01.default_likelihood, app01.default_severity)
    assert first.residual_likelihood is None
    assert first.consequences.count() == len(app01.consequences)
    assert [m.title for m in first.mitigations.order_by("number")] == [m["title"] for m in app01.mitigations]
    assert AuditEvent.objects.filter(action="hazard.created").count() == 2


def test_template_ratings_are_mapped_onto_the_assessments_matrix(catalogue, assessment, contributor, owner):
    services.assessment_set_matrix(
        assessment_id=assessment.pk, by=owner, expected_version=assessment.version, matrix=scoring.preset("iec_61508")
    )
    (scenario,) = services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-01"], by=contributor)
    assert (scenario.inherent_likelihood, scenario.inherent_severity) == (6, 2)  # Frequent / Marginal
    assert scenario.inherent_level == "class_i"


def test_a_mitigation_suggested_twice_is_linked_not_duplicated(catalogue, assessment, contributor):
    services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-01"], by=contributor)
    count = Mitigation.objects.count()
    title = HazardTemplate.objects.get(key="APP-01").mitigations[0]["title"]
    template = HazardTemplate.objects.get(key="APP-02")
    template.mitigations = [{"kind": "eliminate_by_design", "title": title, "description": ""}]
    template.save()
    (second,) = services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-02"], by=contributor)
    assert Mitigation.objects.count() == count
    assert Mitigation.objects.get(title=title).scenarios.count() == 2
    assert second.mitigations.count() == 1


def test_unknown_templates_are_named_and_nothing_is_added(catalogue, assessment, contributor):
    with pytest.raises(InvalidInput, match="NOPE-1"):
        services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-01", "NOPE-1"], by=contributor)
    assert not assessment.scenarios.exists()
