"""The canonical JSON of an assessment's signed content, and its SHA-256.

Deterministic by construction: only content (never database ids, timestamps or progress tracking),
keys sorted, lists in a content-defined order, compact separators, UTF-8. The same content gives the
same bytes on any database and in any run, so anyone can recompute the hash and compare.
"""

import hashlib
import json
from collections import defaultdict
from typing import Any

from django.apps import apps

SCHEMA = "hazlog.snapshot/1"


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


# Orders that use every field, so that rows equal in their first keys never fall back to database order
# (ids and insertion order differ between databases).
def _consequence_order(c: dict) -> tuple:
    return (-c["severity"], c["harm_type"], c["affected_party"], c["description"])


def _acceptance_order(a: dict) -> tuple:
    return (a["expires_on"] or "", a["accepted_by"] or "", a["rationale"], a["conditions"])


def _evidence(assessment) -> dict[int, list[dict]]:
    """Per scenario id: the evaluation results it cites, named exactly (run, task set, results hash) and with
    the figures the likelihood relied on, so the signature covers the evidence and a diff shows it change."""
    citation_model = apps.get_model("hazards", "EvidenceCitation")
    evidence: dict[int, list[dict]] = defaultdict(list)
    rows = citation_model.objects.filter(scenario__assessment=assessment).values(
        "scenario_id",
        "relation",
        "level",
        "note",
        "run__uid",
        "run__number",
        "run__model_name",
        "run__model_version",
        "run__suite_key",
        "run__suite_version",
        "run__seed",
        "run__tasks_per_level",
        "run__task_set_digest",
        "run__results_sha256",
        "run__summary",
        "run__finished_at",
    )
    for row in rows:
        summary = row["run__summary"] or {}
        evidence[row["scenario_id"]].append(
            {
                "run": str(row["run__uid"]),
                "run_ref": f"E-{row['run__number']}",
                "model_name": row["run__model_name"],
                "model_version": row["run__model_version"],
                "suite": row["run__suite_key"],
                "suite_version": row["run__suite_version"],
                "seed": row["run__seed"],
                "tasks_per_level": row["run__tasks_per_level"],
                "task_set_sha256": row["run__task_set_digest"],
                "results_sha256": row["run__results_sha256"],
                "finished_at": _date(row["run__finished_at"]),
                "relation": row["relation"],
                "level": row["level"],
                "note": row["note"],
                "pass_at_1": summary.get("pass_at_1"),
                "levels": [
                    {"level": r["level"], "pass_at_1": r["pass_at_1"], "samples": r["samples"]}
                    for r in summary.get("levels", [])
                ],
            }
        )
    for items in evidence.values():
        items.sort(key=lambda e: (e["suite"], e["run_ref"], e["run"]))
    return evidence


def _attachment_order(a: dict) -> tuple:
    return (a["kind"], a["name"], a["sha256"] or "", a["url"] or "")


def _attachments(assessment) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """Per scenario id and per mitigation id: the evidence files (name, type, size, SHA-256) and links (URL)
    attached, so that the signature covers each file's bytes by their hash and a diff shows evidence change."""
    attachment_model = apps.get_model("hazards", "Attachment")
    by_scenario: dict[int, list[dict]] = defaultdict(list)
    by_mitigation: dict[int, list[dict]] = defaultdict(list)
    for row in attachment_model.objects.filter(assessment=assessment).values(
        "scenario_id", "mitigation_id", "kind", "name", "file_type", "size", "sha256", "url"
    ):
        entry = {
            "kind": row["kind"],
            "name": row["name"],
            "type": row["file_type"] or None,
            "size": row["size"],
            "sha256": row["sha256"] or None,
            "url": row["url"] or None,
        }
        if row["scenario_id"] is not None:
            by_scenario[row["scenario_id"]].append(entry)
        else:
            by_mitigation[row["mitigation_id"]].append(entry)
    for items in (*by_scenario.values(), *by_mitigation.values()):
        items.sort(key=_attachment_order)
    return by_scenario, by_mitigation


def attachment_hashes(data: dict[str, Any]) -> set[str]:
    """The SHA-256 of every file a snapshot's content names (for the verification of stored bytes)."""
    return {
        a["sha256"]
        for item in (*data.get("scenarios", []), *data.get("mitigations", []))
        for a in item.get("attachments", [])
        if a.get("sha256")
    }


CAPABILITY_CONTEXT = ["typical_spec_level", "typical_chain_steps", "user_expertise", "review_practice"]


def content(assessment) -> dict[str, Any]:
    """The content as plain data (what the hash covers). Seven queries however large the register.

    Rows are read as plain values, not model instances: at 2,000 scenarios and 4,000 mitigations this is
    several times faster, and it is on the path of every approval and every verification.
    """
    # hazards builds on assessments; its models are reached by name so the dependency stays one-way.
    consequence_model = apps.get_model("hazards", "Consequence")
    acceptance_model = apps.get_model("hazards", "RiskAcceptance")
    mitigation_model = apps.get_model("hazards", "Mitigation")

    consequences: dict[int, list[dict]] = defaultdict(list)
    for scenario_id, description, harm_type, affected_party, severity in consequence_model.objects.filter(
        scenario__assessment=assessment
    ).values_list("scenario_id", "description", "harm_type", "affected_party", "severity"):
        consequences[scenario_id].append(
            {"description": description, "harm_type": harm_type, "affected_party": affected_party, "severity": severity}
        )
    # Revoked acceptances are not content; expired ones stay, with their date, so that the hash does not
    # depend on the day it is computed.
    acceptances: dict[int, list[dict]] = defaultdict(list)
    for scenario_id, accepted_by, rationale, conditions, expires_on in acceptance_model.objects.filter(
        scenario__assessment=assessment, revoked_at__isnull=True
    ).values_list("scenario_id", "accepted_by__username", "rationale", "conditions", "expires_on"):
        acceptances[scenario_id].append(
            {
                "accepted_by": accepted_by,
                "rationale": rationale,
                "conditions": conditions,
                "expires_on": _date(expires_on),
            }
        )
    links: dict[int, list[str]] = defaultdict(list)
    for mitigation_id, ref in mitigation_model.scenarios.through.objects.filter(
        mitigation__assessment=assessment
    ).values_list("mitigation_id", "hazardscenario__ref"):
        links[mitigation_id].append(ref)

    evidence = _evidence(assessment)
    scenario_files, mitigation_files = _attachments(assessment)
    scenarios = assessment.scenarios.order_by("number").values(
        "id",
        "ref",
        "title",
        "description",
        "category",
        "causes",
        "affected_parties",
        "source_template__key",
        "inherent_likelihood",
        "inherent_severity",
        "inherent_level",
        "residual_likelihood",
        "residual_severity",
        "residual_level",
        "treatment",
        "owner__username",
    )
    mitigations = assessment.mitigations.order_by("number").values("id", "ref", "title", "description", "kind")
    data = {
        "schema": SCHEMA,
        "assessment": {
            "lineage": str(assessment.lineage),
            "revision": assessment.revision,
            "title": assessment.title,
            "model_name": assessment.model_name,
            "model_version": assessment.model_version,
            "deployment_channel": assessment.deployment_channel,
            "user_population": assessment.user_population,
            "application_domain": assessment.application_domain,
            "scope": assessment.scope,
        },
        "matrix": assessment.matrix,
        "scenarios": [
            {
                "_id": s["id"],
                "ref": s["ref"],
                "title": s["title"],
                "description": s["description"],
                "category": s["category"],
                "causes": s["causes"],
                "affected_parties": s["affected_parties"],
                "template": s["source_template__key"],
                "inherent": {
                    "likelihood": s["inherent_likelihood"],
                    "severity": s["inherent_severity"],
                    "level": s["inherent_level"] or None,
                },
                "residual": {
                    "likelihood": s["residual_likelihood"],
                    "severity": s["residual_severity"],
                    "level": s["residual_level"] or None,
                },
                "treatment": s["treatment"],
                "owner": s["owner__username"],
                "consequences": sorted(consequences[s["id"]], key=_consequence_order),
                "acceptances": sorted(acceptances[s["id"]], key=_acceptance_order),
            }
            for s in scenarios
        ],
        # Progress (status, owner, due date, ticket) is tracked after sign-off and is not signed content.
        "mitigations": [
            {
                "_id": m["id"],
                "ref": m["ref"],
                "title": m["title"],
                "description": m["description"],
                "kind": m["kind"],
                "scenarios": sorted(links[m["id"]], key=lambda ref: (len(ref), ref)),
            }
            for m in mitigations
        ],
    }
    # Evidence, attachments and the capability context were added later: they appear only when present, so content
    # signed before them keeps its hash.
    context = {field: getattr(assessment, field) for field in CAPABILITY_CONTEXT if getattr(assessment, field)}
    if context:
        data["assessment"]["capability_context"] = context
    for scenario in data["scenarios"]:
        scenario_id = scenario.pop("_id")
        cited = evidence.get(scenario_id)
        if cited:
            scenario["evidence"] = cited
        if scenario_files.get(scenario_id):
            scenario["attachments"] = scenario_files[scenario_id]
    for mitigation in data["mitigations"]:
        files = mitigation_files.get(mitigation.pop("_id"))
        if files:
            mitigation["attachments"] = files
    return data


def canonical_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


def build(assessment) -> tuple[str, str]:
    """(canonical text, sha256) of the assessment's current content."""
    raw = canonical_bytes(content(assessment))
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def signed_or_live(assessment) -> tuple[dict[str, Any], str, bool]:
    """(content, sha256, signed): what a revision stands for, as exports and diffs show it.

    Once a revision was approved, that is the snapshot the approvers signed, whatever happened since: it
    was superseded or archived, or an acceptance was revoked (the live rows then differ from what was
    signed). Until then it is the live content.
    """
    if assessment.approved_snapshot_id is not None:
        stored = assessment.approved_snapshot
        return json.loads(stored.canonical), stored.sha256, True
    data = content(assessment)
    return data, digest(data), False
