"""Read and check the catalogue data file; pure, so a broken file fails before anything is written."""

from pathlib import Path
from typing import Any

import yaml

from hazards.models import AffectedParty, Category, HarmType, MitigationKind

DEFAULT_PATH = Path(__file__).with_name("code_synthesis.yaml")
CAUSE_KINDS = {
    "model_limitation",
    "misalignment",
    "user_behaviour",
    "malicious_actor",
    "training_data",
    "ecosystem",
    "deployment_design",
}
CAPABILITY_DEPENDENCE = {"gap", "enabled", "none"}
KIND_ORDER = {kind: index for index, kind in enumerate(MitigationKind.values)}


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _rating(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _check_template(t: dict, areas: set[str], problems: list[str]) -> None:
    key = t.get("key", "?")

    def bad(message: str) -> None:
        problems.append(f"{key}: {message}")

    for field in ("key", "area", "title", "description"):
        if not isinstance(t.get(field), str) or not t[field].strip():
            bad(f"needs a {field}")
    if t.get("area") not in areas or t.get("area") not in Category.values:
        bad(f"unknown area {t.get('area')!r}")
    causes = t.get("causes") or []
    if not causes or any(c.get("kind") not in CAUSE_KINDS or not str(c.get("text", "")).strip() for c in causes):
        bad("causes need a known kind and a text each")
    parties = t.get("affected_parties") or []
    if not parties or any(p not in AffectedParty.values for p in parties):
        bad("affected_parties must be non-empty and from the vocabulary")
    if t.get("capability_dependence") not in CAPABILITY_DEPENDENCE:
        bad("capability_dependence must be gap, enabled or none")
    if not (_rating(t.get("default_likelihood")) and _rating(t.get("default_severity"))):
        bad("default ratings must be integers from 1 to 5")
    consequences = t.get("consequences") or []
    if not consequences:
        bad("needs at least one consequence")
    for c in consequences:
        if (
            not str(c.get("description", "")).strip()
            or c.get("harm_type") not in HarmType.values
            or c.get("affected_party") not in AffectedParty.values
            or not _rating(c.get("severity"))
        ):
            bad(f"consequence {c.get('description', '')[:40]!r} is incomplete or uses an unknown value")
    if consequences and t.get("default_severity") != max((c.get("severity") or 0) for c in consequences):
        bad("default_severity must equal the worst consequence's severity")
    mitigations = t.get("mitigations") or []
    if not mitigations:
        bad("needs at least one suggested mitigation")
    if any(m.get("kind") not in KIND_ORDER or not str(m.get("title", "")).strip() for m in mitigations):
        bad("mitigations need a known kind and a title")
    elif [KIND_ORDER[m["kind"]] for m in mitigations] != sorted(KIND_ORDER[m["kind"]] for m in mitigations):
        bad("mitigations must be listed in order of precedence")


def read_catalogue(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """Parse and check the file; raise CatalogueError naming every problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError([f"Cannot read {path}: {exc}"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        raise CatalogueError([f"{path} must hold a mapping with 'areas' and 'templates'."])
    problems: list[str] = []
    areas = {a.get("key") for a in data.get("areas") or []}
    keys: set[str] = set()
    for template in data["templates"]:
        if not isinstance(template, dict):
            problems.append("Every template must be a mapping.")
            continue
        _check_template(template, areas, problems)
        if template.get("key") in keys:
            problems.append(f"{template.get('key')}: duplicate key")
        keys.add(template.get("key"))
    if problems:
        raise CatalogueError(problems)
    return data
