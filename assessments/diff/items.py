"""What changed in one scenario (its fields, ratings, consequences, acceptances, cited evidence and evidence
files) and in one mitigation, between two snapshot contents."""

import datetime

from assessments.diff import compare

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


def _consequences_diff(old: list[dict], new: list[dict]) -> dict:
    _, changed, removed, added = compare.pair(
        old,
        new,
        [lambda c: c["description"], lambda c: (c["harm_type"], c["affected_party"])],
    )
    return {
        "added": added,
        "removed": removed,
        "changed": [
            {"before": b, "after": a, "fields": compare.field_changes(b, a, CONSEQUENCE_LABELS)} for b, a in changed
        ],
    }


def _acceptances_pairing(old: list[dict], new: list[dict]):
    return compare.pair(old, new, [lambda a: (a["accepted_by"], a["rationale"])])


def _acceptances_diff(old: list[dict], new: list[dict]) -> dict:
    _, changed, removed, added = _acceptances_pairing(old, new)
    return {
        "added": added,
        "removed": removed,
        "changed": [
            {"before": b, "after": a, "fields": compare.field_changes(b, a, ACCEPTANCE_LABELS)} for b, a in changed
        ],
    }


def _expired(acceptance: dict, as_of: datetime.date) -> bool:
    expires_on = acceptance.get("expires_on")
    return expires_on is not None and datetime.date.fromisoformat(expires_on) < as_of


def classify_acceptances(ref: str, old: list[dict], new: list[dict], as_of: datetime.date, out: dict) -> None:
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
                    "fields": compare.field_changes(before, after, ACCEPTANCE_LABELS),
                }
            )
    for acceptance in gone:
        out["expired" if _expired(acceptance, as_of) else "revoked"].append({"scenario": ref, **acceptance})
    out["granted"].extend({"scenario": ref, **acceptance} for acceptance in fresh)


def scenario_summary(scenario: dict, levels: dict) -> dict:
    return {
        "ref": scenario["ref"],
        "title": scenario["title"],
        "category": scenario.get("category"),
        "treatment": scenario.get("treatment"),
        "inherent": compare.rating(scenario.get("inherent"), levels),
        "residual": compare.rating(scenario.get("residual"), levels),
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
        fields = compare.field_changes(before[run], after[run], EVIDENCE_LABELS)
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


def scenario_change(old: dict, new: dict, old_levels: dict, new_levels: dict) -> dict | None:
    inherent = compare.rating_change(
        compare.rating(old.get("inherent"), old_levels),
        compare.rating(new.get("inherent"), new_levels),
    )
    residual = compare.rating_change(
        compare.rating(old.get("residual"), old_levels),
        compare.rating(new.get("residual"), new_levels),
    )
    fields = compare.field_changes(old, new, SCENARIO_LABELS)
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


def mitigation_summary(mitigation: dict) -> dict:
    return {
        "ref": mitigation["ref"],
        "title": mitigation["title"],
        "kind": mitigation.get("kind"),
        "scenarios": sorted(mitigation.get("scenarios", []), key=compare.ref_key),
    }


def mitigation_change(old: dict, new: dict) -> dict | None:
    fields = compare.field_changes(old, new, MITIGATION_LABELS)
    before, after = set(old.get("scenarios", [])), set(new.get("scenarios", []))
    links = {
        "added": sorted(after - before, key=compare.ref_key),
        "removed": sorted(before - after, key=compare.ref_key),
    }
    attachments = _attachments_diff(old.get("attachments", []), new.get("attachments", []))
    if not (fields or links["added"] or links["removed"] or any(attachments.values())):
        return None
    return {"ref": new["ref"], "title": new["title"], "fields": fields, "scenarios": links, "attachments": attachments}
