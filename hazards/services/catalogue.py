"""Loading the hazard catalogue into the database, and instantiating its templates in an assessment."""

from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from assessments import audit
from assessments.errors import InvalidInput
from assessments.models import Via
from assessments.versioning import save_versioned
from hazards import scoring
from hazards.catalogue.loader import DEFAULT_PATH, read_catalogue
from hazards.models import AffectedParty, Consequence, HazardScenario, HazardTemplate
from hazards.services.common import lock_for_content
from hazards.services.consequences import CONSEQUENCE_FIELDS
from hazards.services.mitigations import build_mitigation
from hazards.services.scenarios import build_scenario

TEMPLATE_FIELDS = [
    "area",
    "title",
    "description",
    "causes",
    "affected_parties",
    "capability_dependence",
    "default_likelihood",
    "default_severity",
    "consequences",
    "mitigations",
    "review_triggers",
    "references",
]


@transaction.atomic
def catalogue_load(*, path: Path = DEFAULT_PATH) -> dict[str, int]:
    """Create or update every template from the file; idempotent. Templates gone from the file are retired."""
    data = read_catalogue(path)
    version = int(data.get("version", 1))
    existing = {t.key: t for t in HazardTemplate.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0}
    for entry in data["templates"]:
        values = {
            field: entry.get(field, [] if field in ("review_triggers", "references") else "")
            for field in TEMPLATE_FIELDS
        }
        values["catalogue_version"] = version
        values["retired"] = False
        template = existing.pop(entry["key"], None)
        if template is None:
            HazardTemplate.objects.create(key=entry["key"], **values)
            counts["created"] += 1
        elif any(getattr(template, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(template, field, value)
            template.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for template in existing.values():
        if not template.retired:
            template.retired = True
            template.save(update_fields=["retired", "updated_at"])
            counts["retired"] += 1
    return counts


def _party_labels(parties: list[str]) -> str:
    return ", ".join(AffectedParty(p).label for p in parties)


def _causes_text(causes: list[dict]) -> str:
    return "\n".join(f"- {c['text']}" for c in causes)


@transaction.atomic
def hazards_from_templates(
    *, assessment_id: int, template_keys: list[str], by: User, via: str = Via.WEB
) -> list[HazardScenario]:
    """Add one scenario per template, with its consequences and suggested mitigations.

    Default ratings (on the catalogue's 1-5 scale) are mapped onto the assessment's matrix as the
    inherent rating; the residual rating is left for the team. A suggested mitigation whose title is
    already in the assessment is linked rather than duplicated.
    """
    assessment = lock_for_content(assessment_id, by)
    keys = list(dict.fromkeys(template_keys))
    if not keys:
        raise InvalidInput({"templates": ["Choose at least one template."]})
    templates = {t.key: t for t in HazardTemplate.objects.filter(key__in=keys, retired=False)}
    missing = [key for key in keys if key not in templates]
    if missing:
        raise InvalidInput({"templates": [f"Unknown templates: {', '.join(missing)}."]})
    matrix = assessment.matrix
    mitigations_by_title = {m.title.casefold(): m for m in assessment.mitigations.all()}
    created = []
    for key in keys:
        template = templates[key]
        scenario = build_scenario(
            assessment,
            by,
            {
                "title": template.title,
                "description": template.description,
                "category": template.area,
                "causes": _causes_text(template.causes),
                "affected_parties": _party_labels(template.affected_parties),
                "inherent_likelihood": scoring.from_five_point(matrix, "likelihood", template.default_likelihood),
                "inherent_severity": scoring.from_five_point(matrix, "severity", template.default_severity),
                "source_template": template,
            },
        )
        audit.record(
            actor=by,
            via=via,
            action="hazard.created",
            project=assessment.project,
            assessment=assessment,
            obj=scenario,
            changes={
                **audit.snapshot_fields(scenario, ["title", "category", "inherent_likelihood", "inherent_severity"]),
                "template": [None, template.key],
            },
        )
        for entry in template.consequences:
            consequence = Consequence.objects.create(
                scenario=scenario,
                description=entry["description"],
                harm_type=entry["harm_type"],
                affected_party=entry["affected_party"],
                severity=scoring.from_five_point(matrix, "severity", entry["severity"]),
            )
            audit.record(
                actor=by,
                via=via,
                action="consequence.created",
                project=assessment.project,
                assessment=assessment,
                obj=consequence,
                object_ref=scenario.ref,
                changes=audit.snapshot_fields(consequence, CONSEQUENCE_FIELDS),
            )
        for entry in template.mitigations:
            mitigation = mitigations_by_title.get(entry["title"].casefold())
            if mitigation is None:
                mitigation = build_mitigation(
                    assessment,
                    by,
                    {"title": entry["title"], "description": entry.get("description", ""), "kind": entry["kind"]},
                )
                mitigations_by_title[mitigation.title.casefold()] = mitigation
                audit.record(
                    actor=by,
                    via=via,
                    action="mitigation.created",
                    project=assessment.project,
                    assessment=assessment,
                    obj=mitigation,
                    changes={
                        **audit.snapshot_fields(mitigation, ["title", "kind"]),
                        "scenarios": [None, [scenario.ref]],
                    },
                )
            else:
                before = list(mitigation.scenarios.order_by("number").values_list("ref", flat=True))
                # A new version (and updated_at) for the new link. Every mitigation write holds the assessment
                # lock taken above, so the version read with the assessment's mitigations is still current.
                save_versioned(mitigation, mitigation.version, {})
                audit.record(
                    actor=by,
                    via=via,
                    action="mitigation.updated",
                    project=assessment.project,
                    assessment=assessment,
                    obj=mitigation,
                    changes={"scenarios": [before, [*before, scenario.ref]]},
                )
            mitigation.scenarios.add(scenario)
        created.append(scenario)
    return created
