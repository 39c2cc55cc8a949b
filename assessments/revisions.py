"""Copying an approved revision's content into its successor (used by the start-revision transition)."""

from django.apps import apps
from django.db import models
from django.utils import timezone


def _clone_values(obj: models.Model, **overrides) -> dict:
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.attname not in ("created_at", "updated_at")
    }
    values.update(overrides)
    return values


def copy_content(*, source, target) -> dict[str, int]:
    """Copy scenarios (same refs, ratings and levels), their consequences, mitigations (same refs, links
    and progress) the acceptances still valid today and the cited evidence. Returns counts per kind.

    Queries are constant in the size of the register: one read and one bulk insert per table.
    """
    scenario_model = apps.get_model("hazards", "HazardScenario")
    consequence_model = apps.get_model("hazards", "Consequence")
    mitigation_model = apps.get_model("hazards", "Mitigation")
    acceptance_model = apps.get_model("hazards", "RiskAcceptance")
    citation_model = apps.get_model("hazards", "EvidenceCitation")
    attachment_model = apps.get_model("hazards", "Attachment")
    link_model = mitigation_model.scenarios.through

    scenarios = list(source.scenarios.order_by("number"))
    copies = scenario_model.objects.bulk_create(
        [scenario_model(**_clone_values(s, assessment_id=target.pk, version=1)) for s in scenarios]
    )
    new_id = {old.pk: new.pk for old, new in zip(scenarios, copies, strict=True)}
    if not all(new_id.values()):  # bulk_create returns ids on PostgreSQL and SQLite; refetch otherwise
        by_number = dict(target.scenarios.values_list("number", "pk"))
        new_id = {s.pk: by_number[s.number] for s in scenarios}

    consequences = consequence_model.objects.filter(scenario__assessment=source).order_by("id")
    consequence_model.objects.bulk_create(
        [consequence_model(**_clone_values(c, scenario_id=new_id[c.scenario_id], version=1)) for c in consequences]
    )

    mitigations = list(source.mitigations.order_by("number"))
    mitigation_copies = mitigation_model.objects.bulk_create(
        [mitigation_model(**_clone_values(m, assessment_id=target.pk, version=1)) for m in mitigations]
    )
    new_mitigation_id = {old.pk: new.pk for old, new in zip(mitigations, mitigation_copies, strict=True)}
    if not all(new_mitigation_id.values()):
        by_number = dict(target.mitigations.values_list("number", "pk"))
        new_mitigation_id = {m.pk: by_number[m.number] for m in mitigations}
    links = link_model.objects.filter(mitigation__assessment=source)
    link_model.objects.bulk_create(
        [
            link_model(
                mitigation_id=new_mitigation_id[link.mitigation_id], hazardscenario_id=new_id[link.hazardscenario_id]
            )
            for link in links
        ]
    )

    valid = acceptance_model.objects.filter(scenario__assessment=source).valid(on=timezone.localdate()).order_by("id")
    acceptance_model.objects.bulk_create(
        [acceptance_model(**_clone_values(a, scenario_id=new_id[a.scenario_id], version=1)) for a in valid]
    )
    # Cited evidence goes with its scenario: the new revision starts from the same, possibly stale, evidence.
    citations = citation_model.objects.filter(scenario__assessment=source).order_by("id")
    citation_model.objects.bulk_create(
        [citation_model(**_clone_values(c, scenario_id=new_id[c.scenario_id], version=1)) for c in citations]
    )
    # Evidence files and links too; a copy names the same stored bytes (they are kept by their SHA-256).
    attachments = attachment_model.objects.filter(assessment=source).order_by("id")
    attachment_model.objects.bulk_create(
        [
            attachment_model(
                **_clone_values(
                    a,
                    assessment_id=target.pk,
                    scenario_id=new_id[a.scenario_id] if a.scenario_id else None,
                    mitigation_id=new_mitigation_id[a.mitigation_id] if a.mitigation_id else None,
                    version=1,
                )
            )
            for a in attachments
        ]
    )
    return {
        "scenarios": len(scenarios),
        "consequences": len(consequences),
        "mitigations": len(mitigations),
        "acceptances": len(valid),
    }
