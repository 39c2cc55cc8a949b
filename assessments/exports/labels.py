"""Human-readable labels for the codes in an export document, shared by the CSV, XLSX and PDF writers."""

from typing import Any

from assessments.models import DeploymentChannel, Status
from hazards import scoring

# The hazards app owns these choices; assessments may not import it, so the labels are read from the
# choice classes through the app registry once, on first use.
_CHOICES = {
    "category": ("HazardScenario", "category"),
    "treatment": ("HazardScenario", "treatment"),
    "harm_type": ("Consequence", "harm_type"),
    "affected_party": ("Consequence", "affected_party"),
    "kind": ("Mitigation", "kind"),
    "mitigation_status": ("Mitigation", "status"),
}
_cache: dict[str, dict[str, str]] = {}


def label(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if field == "status":
        return Status(value).label
    if field == "deployment_channel":
        return DeploymentChannel(value).label
    if not _cache:
        from django.apps import apps

        for name, (model, attr) in _CHOICES.items():
            _cache[name] = dict(apps.get_model("hazards", model)._meta.get_field(attr).choices)
    return _cache[field].get(value, str(value))


def level_colours(matrix: dict) -> list[dict]:
    """The matrix's risk levels with colours that are safe to write anywhere."""
    return [
        {
            **level,
            "colour": scoring.safe_colour(level.get("colour"), scoring.DEFAULT_COLOUR),
            "text_colour": scoring.safe_colour(level.get("text_colour"), scoring.DEFAULT_TEXT_COLOUR),
        }
        for level in matrix["levels"]
    ]


def level_name(matrix: dict, key: str | None) -> str:
    for level in matrix["levels"]:
        if level["key"] == key:
            return level["name"]
    return ""


def mitigations_by_scenario(document: dict) -> dict[str, list[str]]:
    """Scenario ref → refs of the mitigations addressing it."""
    refs: dict[str, list[str]] = {}
    for mitigation in document["mitigations"]:
        for scenario_ref in mitigation["scenarios"]:
            refs.setdefault(scenario_ref, []).append(mitigation["ref"])
    return refs
