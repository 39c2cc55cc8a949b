"""Comparing plain snapshot items: refs in natural order, field changes, ratings and their direction, and
pairing items that have no id of their own (consequences, acceptances)."""

import json
import re
from collections.abc import Callable
from typing import Any

_REF = re.compile(r"^(.*?)(\d+)$")


def ref_key(ref: str) -> tuple[str, int, str]:
    """Natural order of refs: H-2 before H-10, whatever the padding."""
    match = _REF.match(ref or "")
    return (match.group(1), int(match.group(2)), ref) if match else (ref or "", -1, ref or "")


def field_changes(old: dict, new: dict, labels: dict[str, str]) -> list[dict]:
    return [
        {"field": field, "label": label, "before": old.get(field), "after": new.get(field)}
        for field, label in labels.items()
        if old.get(field) != new.get(field)
    ]


def level_ranks(matrix: dict) -> dict[str, tuple[str, int]]:
    """level key -> (name, rank) for one side's matrix."""
    return {
        level["key"]: (level.get("name", level["key"]), rank)
        for rank, level in enumerate((matrix or {}).get("levels", []), start=1)
    }


def rating(stage: dict | None, levels: dict[str, tuple[str, int]]) -> dict:
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


def rating_change(before: dict, after: dict) -> dict | None:
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


def canonical(item: dict) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def pair(old: list[dict], new: list[dict], keys: list[Callable[[dict], Any]]):
    """Pair items without ids: identical ones first, then by each key in turn, in list order.

    Returns (identical pairs, pairs that differ, old items left unpaired, new items left unpaired).
    """
    old_left, new_left = list(old), list(new)
    same: list[tuple[dict, dict]] = []
    differing: list[tuple[dict, dict]] = []
    for key in [canonical, *keys]:
        remaining_new = []
        for item in new_left:
            match = next((o for o in old_left if key(o) == key(item)), None)
            if match is None:
                remaining_new.append(item)
                continue
            old_left.remove(match)
            (same if key is canonical else differing).append((match, item))
        new_left = remaining_new
    return same, differing, old_left, new_left


def by_ref(items: list[dict]) -> dict[str, dict]:
    return {item["ref"]: item for item in items}
