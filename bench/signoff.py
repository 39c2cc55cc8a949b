"""Sign-off benchmark: the snapshot, the diff and verification of the 2,000-scenario assessment.

Baseline: the scenarios read with one plain `values_list()`, as in the register benchmark. Building the
snapshot reads scenarios, consequences, acceptances, mitigations and links, so it is several times the
baseline; the point is that its query count stays constant and its time grows with the rows only.
"""

import copy

from assessments import diff, snapshot, verification
from bench.register import REGISTER_FIELDS
from bench.timing import timed


def _changed_copy(content: dict) -> dict:
    """A tenth of the scenarios re-rated and retitled, one mitigation relinked: a realistic revision."""
    changed = copy.deepcopy(content)
    for scenario in changed["scenarios"][::10]:
        scenario["title"] += " (revised)"
        scenario["residual"] = {**scenario["residual"], "likelihood": 1, "level": changed["matrix"]["levels"][0]["key"]}
    if changed["mitigations"]:
        changed["mitigations"][0]["scenarios"] = changed["mitigations"][0]["scenarios"][1:]
    return changed


def run(assessment, repeats: int = 7) -> dict:
    content = snapshot.content(assessment)
    changed = _changed_copy(content)

    build_s, build_q = timed(lambda: snapshot.build(assessment), repeats)
    diff_s, diff_q = timed(lambda: diff.diff_contents(content, changed), repeats)
    verify_s, verify_q = timed(lambda: verification.assessment_verify(assessment), repeats)
    values_s, values_q = timed(lambda: list(assessment.scenarios.values_list(*REGISTER_FIELDS)), repeats)
    result = diff.diff_contents(content, changed)
    return {
        "benchmark": "signoff",
        "scenarios": len(content["scenarios"]),
        "consequences": sum(len(s["consequences"]) for s in content["scenarios"]),
        "mitigations": len(content["mitigations"]),
        "canonical_bytes": len(snapshot.canonical_bytes(content)),
        "snapshot_build_ms": round(build_s * 1000, 2),
        "snapshot_build_queries": build_q,
        "diff_ms": round(diff_s * 1000, 2),
        "diff_queries": diff_q,
        "diff_scenarios_changed": result["summary"]["scenarios_changed"],
        "verify_ms": round(verify_s * 1000, 2),
        "verify_queries": verify_q,
        "values_ms": round(values_s * 1000, 2),
        "values_queries": values_q,
        "ratio_snapshot_to_values": round(build_s / values_s, 2),
        "ratio_diff_to_values": round(diff_s / values_s, 2),
        "ratio_verify_to_values": round(verify_s / values_s, 2),
    }
