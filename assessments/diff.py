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
import json
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from assessments import snapshot
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
EVIDENCE_LABELS = {
    "relation": "Relation",
    "level": "Level the hazard needs",
    "note": "Note",
    "results_sha256": "Results",
    "pass_at_1": "pass@1",
}
SCENARIO_LABELS = {
    "title": "Title",
    "description": "Description",
    "category": "Category",
    "causes": "Causes",
    "affected_parties": "Affected parties",
    "template": "Catalogue template",
    "treatment": "Treatment",
    "owner": "Owner",
}
CONSEQUENCE_LABELS = {
    "description": "Description",
    "harm_type": "Harm type",
    "affected_party": "Affected party",
    "severity": "Severity",
}
MITIGATION_LABELS = {"title": "Title", "description": "Description", "kind": "Kind"}
ACCEPTANCE_LABELS = {
    "accepted_by": "Accepted by",
    "rationale": "Rationale",
    "conditions": "Conditions",
    "expires_on": "Expires on",
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

_REF = re.compile(r"^(.*?)(\d+)$")


def ref_key(ref: str) -> tuple[str, int, str]:
    """Natural order of refs: H-2 before H-10, whatever the padding."""
    match = _REF.match(ref or "")
    return (match.group(1), int(match.group(2)), ref) if match else (ref or "", -1, ref or "")


def _field_changes(old: dict, new: dict, labels: dict[str, str]) -> list[dict]:
    return [
        {"field": field, "label": label, "before": old.get(field), "after": new.get(field)}
        for field, label in labels.items()
        if old.get(field) != new.get(field)
    ]


# --- Ratings -------------------------------------------------------------------------------------------


def _levels(matrix: dict) -> dict[str, tuple[str, int]]:
    """level key -> (name, rank) for one side's matrix."""
    return {
        level["key"]: (level.get("name", level["key"]), rank)
        for rank, level in enumerate((matrix or {}).get("levels", []), start=1)
    }


def _rating(stage: dict | None, levels: dict[str, tuple[str, int]]) -> dict:
    stage = stage or {}
    key = stage.get("level")
    name, rank = levels.get(key, (key, None)) if key else (None, None)
    return {
        "likelihood": stage.get("likelihood"),
        "severity": stage.get("severity"),
        "level": key,
        "level_name": name,
        "rank": rank,
    }


def _rating_change(before: dict, after: dict) -> dict | None:
    if all(before[k] == after[k] for k in ("likelihood", "severity", "level")):
        return None
    if before["rank"] is None or after["rank"] is None:
        direction = None
    elif after["rank"] > before["rank"]:
        direction = "up"
    elif after["rank"] < before["rank"]:
        direction = "down"
    else:
        direction = "same"
    return {"before": before, "after": after, "direction": direction}


# --- Unkeyed children: consequences and acceptances ----------------------------------------------------


def _canonical(item: dict) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _pair(old: list[dict], new: list[dict], keys: list[Callable[[dict], Any]]):
    """Pair items without ids: identical ones first, then by each key in turn, in list order.

    Returns (identical pairs, pairs that differ, old items left unpaired, new items left unpaired).
    """
    old_left, new_left = list(old), list(new)
    same: list[tuple[dict, dict]] = []
    differing: list[tuple[dict, dict]] = []
    for key in [_canonical, *keys]:
        remaining_new = []
        for item in new_left:
            match = next((o for o in old_left if key(o) == key(item)), None)
            if match is None:
                remaining_new.append(item)
                continue
            old_left.remove(match)
            (same if key is _canonical else differing).append((match, item))
        new_left = remaining_new
    return same, differing, old_left, new_left


def _consequences_diff(old: list[dict], new: list[dict]) -> dict:
    _, changed, removed, added = _pair(
        old,
        new,
        [lambda c: c["description"], lambda c: (c["harm_type"], c["affected_party"])],
    )
    return {
        "added": added,
        "removed": removed,
        "changed": [{"before": b, "after": a, "fields": _field_changes(b, a, CONSEQUENCE_LABELS)} for b, a in changed],
    }


def _acceptances_pairing(old: list[dict], new: list[dict]):
    return _pair(old, new, [lambda a: (a["accepted_by"], a["rationale"])])


def _acceptances_diff(old: list[dict], new: list[dict]) -> dict:
    _, changed, removed, added = _acceptances_pairing(old, new)
    return {
        "added": added,
        "removed": removed,
        "changed": [{"before": b, "after": a, "fields": _field_changes(b, a, ACCEPTANCE_LABELS)} for b, a in changed],
    }


def _expired(acceptance: dict, as_of: datetime.date) -> bool:
    expires_on = acceptance.get("expires_on")
    return expires_on is not None and datetime.date.fromisoformat(expires_on) < as_of


def _classify_acceptances(ref: str, old: list[dict], new: list[dict], as_of: datetime.date, out: dict) -> None:
    """Sort one scenario's acceptances into granted / expired / revoked / changed (see the module doc)."""
    same, changed, gone, fresh = _acceptances_pairing(old, new)
    for _, acceptance in same:
        # Unchanged on both sides but past its date now: it has expired in the meantime.
        if _expired(acceptance, as_of):
            out["expired"].append({"scenario": ref, **acceptance})
    for before, after in changed:
        if _expired(after, as_of):
            out["expired"].append({"scenario": ref, **after})
        else:
            out["changed"].append(
                {
                    "scenario": ref,
                    "before": before,
                    "after": after,
                    "fields": _field_changes(before, after, ACCEPTANCE_LABELS),
                }
            )
    for acceptance in gone:
        out["expired" if _expired(acceptance, as_of) else "revoked"].append({"scenario": ref, **acceptance})
    out["granted"].extend({"scenario": ref, **acceptance} for acceptance in fresh)


# --- Scenarios and mitigations -------------------------------------------------------------------------


def _scenario_summary(scenario: dict, levels: dict) -> dict:
    return {
        "ref": scenario["ref"],
        "title": scenario["title"],
        "category": scenario.get("category"),
        "treatment": scenario.get("treatment"),
        "inherent": _rating(scenario.get("inherent"), levels),
        "residual": _rating(scenario.get("residual"), levels),
        "consequences": len(scenario.get("consequences", [])),
        "acceptances": len(scenario.get("acceptances", [])),
    }


def _evidence_summary(item: dict) -> dict:
    keys = ("run", "run_ref", "model_name", "model_version", "suite", "suite_version", "seed", "relation", "pass_at_1")
    return {key: item.get(key) for key in keys}


def _evidence_diff(old: list[dict], new: list[dict]) -> dict:
    """Cited runs matched by their uid: added, removed, or cited differently (or with other results)."""
    before, after = {e["run"]: e for e in old}, {e["run"]: e for e in new}
    changed = []
    for run in sorted(before.keys() & after.keys(), key=lambda r: after[r]["run_ref"]):
        fields = _field_changes(before[run], after[run], EVIDENCE_LABELS)
        if fields:
            changed.append({**_evidence_summary(after[run]), "fields": fields})
    return {
        "added": [
            _evidence_summary(after[r]) for r in sorted(after.keys() - before.keys(), key=lambda r: after[r]["run_ref"])
        ],
        "removed": [
            _evidence_summary(before[r])
            for r in sorted(before.keys() - after.keys(), key=lambda r: before[r]["run_ref"])
        ],
        "changed": changed,
    }


def _attachment_summary(item: dict) -> dict:
    return {key: item.get(key) for key in ("kind", "name", "type", "size", "sha256", "url")}


def _attachments_diff(old: list[dict], new: list[dict]) -> dict:
    """Evidence files and links matched by kind and name: added, removed, or the same name with other bytes
    (another SHA-256) or another URL. Several with one name are matched in their signed order."""

    def keyed(items):
        seen: dict[tuple, int] = {}
        out = {}
        for item in items:
            key = (item["kind"], item["name"])
            seen[key] = seen.get(key, 0) + 1
            out[(*key, seen[key])] = item
        return out

    before, after = keyed(old), keyed(new)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        if _attachment_summary(before[key]) != _attachment_summary(after[key]):
            changed.append({"before": _attachment_summary(before[key]), "after": _attachment_summary(after[key])})
    return {
        "added": [_attachment_summary(after[k]) for k in sorted(after.keys() - before.keys())],
        "removed": [_attachment_summary(before[k]) for k in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def _scenario_change(old: dict, new: dict, old_levels: dict, new_levels: dict) -> dict | None:
    inherent = _rating_change(
        _rating(old.get("inherent"), old_levels),
        _rating(new.get("inherent"), new_levels),
    )
    residual = _rating_change(
        _rating(old.get("residual"), old_levels),
        _rating(new.get("residual"), new_levels),
    )
    fields = _field_changes(old, new, SCENARIO_LABELS)
    consequences = _consequences_diff(old.get("consequences", []), new.get("consequences", []))
    acceptances = _acceptances_diff(old.get("acceptances", []), new.get("acceptances", []))
    evidence = _evidence_diff(old.get("evidence", []), new.get("evidence", []))
    attachments = _attachments_diff(old.get("attachments", []), new.get("attachments", []))
    if not (
        fields
        or inherent
        or residual
        or any(consequences.values())
        or any(acceptances.values())
        or any(evidence.values())
        or any(attachments.values())
    ):
        return None
    return {
        "ref": new["ref"],
        "title": new["title"],
        "fields": fields,
        "inherent": inherent,
        "residual": residual,
        "consequences": consequences,
        "acceptances": acceptances,
        "evidence": evidence,
        "attachments": attachments,
    }


def _mitigation_summary(mitigation: dict) -> dict:
    return {
        "ref": mitigation["ref"],
        "title": mitigation["title"],
        "kind": mitigation.get("kind"),
        "scenarios": sorted(mitigation.get("scenarios", []), key=ref_key),
    }


def _mitigation_change(old: dict, new: dict) -> dict | None:
    fields = _field_changes(old, new, MITIGATION_LABELS)
    before, after = set(old.get("scenarios", [])), set(new.get("scenarios", []))
    links = {"added": sorted(after - before, key=ref_key), "removed": sorted(before - after, key=ref_key)}
    attachments = _attachments_diff(old.get("attachments", []), new.get("attachments", []))
    if not (fields or links["added"] or links["removed"] or any(attachments.values())):
        return None
    return {"ref": new["ref"], "title": new["title"], "fields": fields, "scenarios": links, "attachments": attachments}


def _by_ref(items: list[dict]) -> dict[str, dict]:
    return {item["ref"]: item for item in items}


def _context_changes(old: dict, new: dict) -> list[dict]:
    changes = _field_changes(old.get("assessment", {}), new.get("assessment", {}), CONTEXT_LABELS)
    changes += _field_changes(
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


# --- Entry points --------------------------------------------------------------------------------------


def diff_contents(old: dict, new: dict, *, as_of: datetime.date | None = None) -> dict:
    """The differences from `old` to `new` (two snapshot contents); `as_of` defaults to today."""
    as_of = as_of or timezone.localdate()
    old_levels, new_levels = _levels(old.get("matrix")), _levels(new.get("matrix"))
    old_scenarios, new_scenarios = _by_ref(old.get("scenarios", [])), _by_ref(new.get("scenarios", []))
    acceptances: dict[str, list] = {"granted": [], "expired": [], "revoked": [], "changed": []}
    added, removed, changed = [], [], []
    for ref in sorted(old_scenarios.keys() | new_scenarios.keys(), key=ref_key):
        before, after = old_scenarios.get(ref), new_scenarios.get(ref)
        if before is None:
            added.append(_scenario_summary(after, new_levels))
            _classify_acceptances(ref, [], after.get("acceptances", []), as_of, acceptances)
        elif after is None:
            removed.append(_scenario_summary(before, old_levels))
        else:
            change = _scenario_change(before, after, old_levels, new_levels)
            if change is not None:
                changed.append(change)
            _classify_acceptances(ref, before.get("acceptances", []), after.get("acceptances", []), as_of, acceptances)

    old_mitigations, new_mitigations = _by_ref(old.get("mitigations", [])), _by_ref(new.get("mitigations", []))
    mitigations: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for ref in sorted(old_mitigations.keys() | new_mitigations.keys(), key=ref_key):
        before, after = old_mitigations.get(ref), new_mitigations.get(ref)
        if before is None:
            mitigations["added"].append(_mitigation_summary(after))
        elif after is None:
            mitigations["removed"].append(_mitigation_summary(before))
        else:
            change = _mitigation_change(before, after)
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
