"""What a finished run's samples add up to: the figures per level that pages, evidence and exports show.

Computed once when the run completes and stored on the run (`summary`), so that no page or export
recomputes them from thousands of samples; `results_digest` hashes the samples so a signed snapshot can
prove which results it relied on.
"""

import hashlib
import json
from collections import Counter, defaultdict

from evaluations import outcomes, scoring

PASS_AT_K = (1, 5, 10)


def summarise(samples: list[dict], *, scale: str) -> dict:
    """`samples`: dicts with task_id, level, outcome and findings (a list of finding dicts)."""
    by_level: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for sample in samples:
        by_level[sample["level"]][sample["task_id"]].append(sample)
    levels = [_level_figures(level, tasks) for level, tasks in sorted(by_level.items())]
    points = [(row["level"], row["pass_at_1"], row["samples"]) for row in levels]
    decay = scoring.fit_decay(points)
    rules: Counter = Counter()
    rule_info = {}
    for sample in samples:
        for finding in sample["findings"]:
            rules[finding["rule_id"]] += 1
            rule_info[finding["rule_id"]] = finding
    total = len(samples)
    passed = sum(1 for s in samples if s["outcome"] == outcomes.PASSED)
    return {
        "scale": scale,
        "samples": total,
        "tasks": sum(row["tasks"] for row in levels),
        "pass_at_1": round(
            sum(row["pass_at_1"] * row["tasks"] for row in levels) / max(1, sum(r["tasks"] for r in levels)), 4
        ),
        "passed": passed,
        "levels": levels,
        "decay": None
        if decay is None
        else {
            "p1": round(decay.p1, 4),
            "ratio": round(decay.ratio, 4),
            "note": decay.note,
            "fitted": {str(k): round(v, 4) for k, v in decay.fitted.items()},
        },
        "findings_by_rule": [
            {
                "rule_id": rule_id,
                "rule_name": rule_info[rule_id].get("rule_name", ""),
                "cwe": rule_info[rule_id].get("cwe"),
                "severity": rule_info[rule_id].get("severity", ""),
                "count": count,
            }
            for rule_id, count in sorted(rules.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def _level_figures(level: int, tasks: dict[str, list[dict]]) -> dict:
    counts = Counter(sample["outcome"] for samples in tasks.values() for sample in samples)
    samples = sum(counts.values())
    passed = counts[outcomes.PASSED]
    per_task = [
        (len(samples_), sum(1 for s in samples_ if s["outcome"] == outcomes.PASSED)) for samples_ in tasks.values()
    ]
    smallest_n = min(n for n, _ in per_task)
    pass_at_k = {
        str(k): round(sum(scoring.pass_at_k(n, c, k) for n, c in per_task) / len(per_task), 4)
        for k in PASS_AT_K
        if k <= smallest_n
    }
    low, high = scoring.wilson_interval(passed, samples)
    with_findings = sum(1 for samples_ in tasks.values() for s in samples_ if s["findings"])
    return {
        "level": level,
        "tasks": len(tasks),
        "samples": samples,
        "passed": passed,
        "pass_at_1": pass_at_k["1"],
        "pass_at_k": pass_at_k,
        "low": round(low, 4),
        "high": round(high, 4),
        "outcomes": {outcome: counts[outcome] for outcome in outcomes.FAILURE_CLASSES if counts[outcome]},
        "with_findings": with_findings,
        "findings_share": round(with_findings / samples, 4) if samples else 0.0,
    }


def rates(summary: dict) -> dict[int, float]:
    """pass@1 per level, as the likelihood rule reads it."""
    return {row["level"]: row["pass_at_1"] for row in summary.get("levels", [])}


def level_row(summary: dict, level: int) -> dict | None:
    return next((row for row in summary.get("levels", []) if row["level"] == level), None)


def results_digest(samples: list[dict]) -> str:
    """SHA-256 over every sample's task, index, completion hash and outcome, in a fixed order."""
    rows = sorted(
        (
            s["task_id"],
            s["index"],
            hashlib.sha256(s["completion"].encode()).hexdigest(),
            s["outcome"],
        )
        for s in samples
    )
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()
