"""What changed between two revisions of an assessment, computed on their signed content.

`diff_contents(old, new)` compares two snapshot contents (the dicts from `snapshot.content()`, or parsed
from a stored `Snapshot.canonical`); `diff_assessments(old, new)` picks each revision's content (its
approved snapshot once it has one, its live content otherwise) and adds where each side came from.
Scenarios and mitigations are matched by ref (refs are kept across revisions and never reused).
Progress tracking (mitigation status, owner, due date, tickets) is not signed content and not diffed.

The result is plain JSON-ready data in a stable order (refs in natural order: H-002 before H-010):

    {
      "schema": "hazlog.diff/1",
      "as_of": "2026-12-01",          # the day acceptances were judged valid or expired on
      "from": Side, "to": Side,       # only from diff_assessments
      "context": [FieldChange, ...],  # assessment context fields, then "matrix" (by name) if it changed
      "scenarios": {
        "added":   [ScenarioSummary, ...],
        "removed": [ScenarioSummary, ...],
        "changed": [ScenarioChange, ...],
      },
      "mitigations": {
        "added":   [MitigationSummary, ...],
        "removed": [MitigationSummary, ...],
        "changed": [MitigationChange, ...],
      },
      "acceptances": {                # across scenarios present on both sides, plus added scenarios
        "granted": [AcceptanceItem, ...],    # new on the newer side
        "expired": [AcceptanceItem, ...],    # on the older side, past its expiry date on `as_of`
        "revoked": [AcceptanceItem, ...],    # on the older side, gone from the newer before its expiry
        "changed": [AcceptanceChange, ...],  # same approver and rationale, other conditions or expiry
      },
      "summary": {"has_changes": bool, "context_changed": n, "scenarios_added": n, "scenarios_removed": n,
                  "scenarios_changed": n, "inherent_up": n, "inherent_down": n, "residual_up": n,
                  "residual_down": n, "consequences_added": n, "consequences_removed": n,
                  "consequences_changed": n, "evidence_added": n, "evidence_removed": n,
                  "evidence_changed": n, "attachments_added": n, "attachments_removed": n,
                  "attachments_changed": n, "mitigations_added": n, "mitigations_removed": n,
                  "mitigations_changed": n, "acceptances_granted": n, "acceptances_expired": n,
                  "acceptances_revoked": n, "acceptances_changed": n},
    }

    Side              = {"assessment_id", "revision", "status", "source": "approved_snapshot" | "live", "sha256"}
    FieldChange       = {"field": "model_version", "label": "Model version", "before": ..., "after": ...}
    Rating            = {"likelihood", "severity", "level", "level_name", "rank"}  (all None while unrated;
                        rank counts the matrix's levels from 1 = lowest)
    RatingChange      = {"before": Rating, "after": Rating, "direction": "up" | "down" | "same" | None}
                        ("same": the level kept its rank; None: one side is unrated)
    ScenarioSummary   = {"ref", "title", "category", "treatment", "inherent": Rating, "residual": Rating,
                         "consequences": n, "acceptances": n}
    ScenarioChange    = {"ref", "title", "fields": [FieldChange],
                         "inherent": RatingChange | None, "residual": RatingChange | None,   # None: unchanged
                         "consequences": {"added": [Consequence], "removed": [Consequence], "changed": [Pair]},
                         "acceptances":  {"added": [Acceptance],  "removed": [Acceptance],  "changed": [Pair]},
                         "evidence":     {"added": [Evidence],    "removed": [Evidence],    "changed": [Evidence]},
                         "attachments":  {"added": [Attachment],  "removed": [Attachment],  "changed": [Pair]}}
    Evidence          = {"run" (uid), "run_ref", "model_name", "model_version", "suite", "suite_version", "seed",
                         "relation", "pass_at_1"} (+ "fields": [FieldChange] when changed)
    Consequence       = {"description", "harm_type", "affected_party", "severity"}
    Acceptance        = {"accepted_by", "rationale", "conditions", "expires_on"}
    Pair              = {"before": Consequence | Acceptance, "after": ..., "fields": [FieldChange]}
    MitigationSummary = {"ref", "title", "kind", "scenarios": [refs]}
    MitigationChange  = {"ref", "title", "fields": [FieldChange], "scenarios": {"added": [refs], "removed": [refs]},
                         "attachments": {"added": [Attachment], "removed": [Attachment], "changed": [Pair]}}
    Attachment        = {"kind": "file" | "link", "name", "type", "size", "sha256", "url"} (Pair: before/after)
    AcceptanceItem    = {"scenario": ref, **Acceptance}
    AcceptanceChange  = {"scenario": ref, "before": Acceptance, "after": Acceptance, "fields": [FieldChange]}

Consequences have no ref: identical ones pair up first, then ones with the same description (their harm
type, party or severity changed), then ones with the same harm type and party (their text changed); the
rest are added or removed. Acceptances pair the same way: identical first, then the same approver and
rationale (renewed or re-conditioned).
"""

import datetime

from django.utils import timezone

from assessments import snapshot
from assessments.diff import compare, items
from assessments.errors import InvalidInput

SCHEMA = "hazlog.diff/1"

CONTEXT_LABELS = {
    "title": "Title",
    "model_name": "Model",
    "model_version": "Model version",
    "deployment_channel": "Deployment channel",
    "user_population": "User population",
    "application_domain": "Application domain",
    "scope": "Scope",
}
CAPABILITY_LABELS = {
    "typical_spec_level": "Typical specification level",
    "typical_chain_steps": "Typical chained steps",
    "user_expertise": "User expertise",
    "review_practice": "Review of generated code",
}
SUMMARY_KEYS = [
    "context_changed",
    "scenarios_added",
    "scenarios_removed",
    "scenarios_changed",
    "inherent_up",
    "inherent_down",
    "residual_up",
    "residual_down",
    "consequences_added",
    "consequences_removed",
    "consequences_changed",
    "evidence_added",
    "evidence_removed",
    "evidence_changed",
    "attachments_added",
    "attachments_removed",
    "attachments_changed",
    "mitigations_added",
    "mitigations_removed",
    "mitigations_changed",
    "acceptances_granted",
    "acceptances_expired",
    "acceptances_revoked",
    "acceptances_changed",
]


def _context_changes(old: dict, new: dict) -> list[dict]:
    changes = compare.field_changes(old.get("assessment", {}), new.get("assessment", {}), CONTEXT_LABELS)
    changes += compare.field_changes(
        old.get("assessment", {}).get("capability_context", {}),
        new.get("assessment", {}).get("capability_context", {}),
        CAPABILITY_LABELS,
    )
    old_matrix, new_matrix = old.get("matrix") or {}, new.get("matrix") or {}
    if old_matrix != new_matrix:
        before, after = old_matrix.get("name", "custom"), new_matrix.get("name", "custom")
        if before == after:
            after = f"{after} (edited)"
        changes.append({"field": "matrix", "label": "Risk matrix", "before": before, "after": after})
    return changes


def diff_contents(old: dict, new: dict, *, as_of: datetime.date | None = None) -> dict:
    """The differences from `old` to `new` (two snapshot contents); `as_of` defaults to today."""
    as_of = as_of or timezone.localdate()
    old_levels, new_levels = compare.level_ranks(old.get("matrix")), compare.level_ranks(new.get("matrix"))
    old_scenarios, new_scenarios = compare.by_ref(old.get("scenarios", [])), compare.by_ref(new.get("scenarios", []))
    acceptances: dict[str, list] = {"granted": [], "expired": [], "revoked": [], "changed": []}
    added, removed, changed = [], [], []
    for ref in sorted(old_scenarios.keys() | new_scenarios.keys(), key=compare.ref_key):
        before, after = old_scenarios.get(ref), new_scenarios.get(ref)
        if before is None:
            added.append(items.scenario_summary(after, new_levels))
            items.classify_acceptances(ref, [], after.get("acceptances", []), as_of, acceptances)
        elif after is None:
            removed.append(items.scenario_summary(before, old_levels))
        else:
            change = items.scenario_change(before, after, old_levels, new_levels)
            if change is not None:
                changed.append(change)
            items.classify_acceptances(
                ref, before.get("acceptances", []), after.get("acceptances", []), as_of, acceptances
            )

    old_mitigations, new_mitigations = (
        compare.by_ref(old.get("mitigations", [])),
        compare.by_ref(new.get("mitigations", [])),
    )
    mitigations: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for ref in sorted(old_mitigations.keys() | new_mitigations.keys(), key=compare.ref_key):
        before, after = old_mitigations.get(ref), new_mitigations.get(ref)
        if before is None:
            mitigations["added"].append(items.mitigation_summary(after))
        elif after is None:
            mitigations["removed"].append(items.mitigation_summary(before))
        else:
            change = items.mitigation_change(before, after)
            if change is not None:
                mitigations["changed"].append(change)

    context = _context_changes(old, new)
    scenarios = {"added": added, "removed": removed, "changed": changed}
    return {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "context": context,
        "scenarios": scenarios,
        "mitigations": mitigations,
        "acceptances": acceptances,
        "summary": _summary(context, scenarios, mitigations, acceptances),
    }


def _summary(context: list, scenarios: dict, mitigations: dict, acceptances: dict) -> dict:
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    counts["context_changed"] = len(context)
    for kind in ("added", "removed", "changed"):
        counts[f"scenarios_{kind}"] = len(scenarios[kind])
        counts[f"mitigations_{kind}"] = len(mitigations[kind])
    for change in scenarios["changed"]:
        for stage in ("inherent", "residual"):
            direction = (change[stage] or {}).get("direction")
            if direction in ("up", "down"):
                counts[f"{stage}_{direction}"] += 1
        for kind in ("added", "removed", "changed"):
            counts[f"consequences_{kind}"] += len(change["consequences"][kind])
            counts[f"evidence_{kind}"] += len(change["evidence"][kind])
            counts[f"attachments_{kind}"] += len(change["attachments"][kind])
    for change in mitigations["changed"]:
        for kind in ("added", "removed", "changed"):
            counts[f"attachments_{kind}"] += len(change["attachments"][kind])
    for kind in ("granted", "expired", "revoked", "changed"):
        counts[f"acceptances_{kind}"] = len(acceptances[kind])
    return {"has_changes": any(counts.values()), **counts}


def _signed_or_live(assessment) -> tuple[dict, str, str]:
    """(content, source, sha256) of one side; the source as the diff format names it."""
    content, sha256, signed = snapshot.signed_or_live(assessment)
    return content, "approved_snapshot" if signed else "live", sha256


def _side(assessment, source: str, sha256: str) -> dict:
    return {
        "assessment_id": assessment.pk,
        "revision": assessment.revision,
        "status": assessment.status,
        "source": source,
        "sha256": sha256,
    }


def diff_assessments(old, new, *, as_of: datetime.date | None = None) -> dict:
    """The diff between two revisions of one assessment (the caller has checked the user may see both).

    Acceptances are judged on the day the newer side was approved, or today while it is not approved.
    """
    if old.lineage != new.lineage:
        raise InvalidInput({"__all__": ["Only revisions of the same assessment can be compared."]})
    old_content, old_source, old_hash = _signed_or_live(old)
    new_content, new_source, new_hash = _signed_or_live(new)
    if as_of is None and new_source == "approved_snapshot" and new.approved_at is not None:
        as_of = timezone.localdate(new.approved_at)
    result = diff_contents(old_content, new_content, as_of=as_of)
    return {
        **result,
        "from": _side(old, old_source, old_hash),
        "to": _side(new, new_source, new_hash),
    }
