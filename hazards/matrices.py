"""The three risk-matrix presets, as data (see the hazard framework reference, section 3)."""

from typing import Any

# Colours meet WCAG AA contrast with their text colour.
_LOW = {"colour": "#2e7d32", "text_colour": "#ffffff"}
_MEDIUM = {"colour": "#f2c94c", "text_colour": "#1f2328"}
_SERIOUS = {"colour": "#ef8a3c", "text_colour": "#1f2328"}
_HIGH = {"colour": "#b3261e", "text_colour": "#ffffff"}

DEFAULT_5X5: dict[str, Any] = {
    "preset": "default_5x5",
    "name": "Hazlog default (5 × 5)",
    "likelihood": [
        {
            "value": 1,
            "name": "Improbable",
            "description": "Not expected during the deployment's life; usually needs a capability the model was "
            "evaluated not to have.",
        },
        {
            "value": 2,
            "name": "Remote",
            "description": "Possible only under unusual conditions or from a determined, skilled actor.",
        },
        {"value": 3, "name": "Occasional", "description": "Expected to happen sometimes across the user population."},
        {"value": 4, "name": "Probable", "description": "Expected to happen repeatedly in normal use."},
        {
            "value": 5,
            "name": "Frequent",
            "description": "Happens routinely, e.g. in a measurable share of generations.",
        },
    ],
    "severity": [
        {
            "value": 1,
            "name": "Negligible",
            "description": "Cosmetic or trivially reversible; no lasting harm to people, data, money or rights.",
        },
        {
            "value": 2,
            "name": "Minor",
            "description": "Limited, reversible harm to one user or team: a small loss, a brief outage, one "
            "offensive output.",
        },
        {
            "value": 3,
            "name": "Moderate",
            "description": "Noticeable harm to many users or one organisation: a bounded data exposure, "
            "reversible discrimination, moderate financial or legal loss, defects in production.",
        },
        {
            "value": 4,
            "name": "Critical",
            "description": "Severe or hard-to-reverse harm: possible serious injury, a major breach, systemic "
            "discrimination, large liability, substantial labour or market disruption.",
        },
        {
            "value": 5,
            "name": "Catastrophic",
            "description": "Loss of life; irreversible or society-wide harm; compromise of critical "
            "infrastructure; political or institutional destabilisation.",
        },
    ],
    "levels": [
        {"key": "low", "name": "Low", **_LOW, "acceptance": "Team level; record and monitor."},
        {"key": "medium", "name": "Medium", **_MEDIUM, "acceptance": "Assessment lead signs off, with monitoring."},
        {
            "key": "serious",
            "name": "Serious",
            **_SERIOUS,
            "acceptance": "Senior risk owner signs off; needs a mitigation or a documented acceptance.",
        },
        {
            "key": "high",
            "name": "High",
            **_HIGH,
            "acceptance": "Accountable executive signs off; deployment blocked until mitigated or accepted.",
        },
    ],
    # grid[severity - 1][likelihood - 1]
    "grid": [
        ["low", "low", "low", "medium", "medium"],
        ["low", "low", "medium", "medium", "serious"],
        ["medium", "medium", "medium", "serious", "serious"],
        ["medium", "medium", "serious", "high", "high"],
        ["medium", "serious", "high", "high", "high"],
    ],
    "signoff_level": "serious",
    "five_point": {"likelihood": [1, 2, 3, 4, 5], "severity": [1, 2, 3, 4, 5]},
}

MIL_STD_882E: dict[str, Any] = {
    "preset": "mil_std_882e",
    "name": "MIL-STD-882E (4 severities × 5 probabilities)",
    "likelihood": [
        {"value": 1, "name": "E Improbable", "description": "So unlikely that it may never be seen."},
        {"value": 2, "name": "D Remote", "description": "Unlikely, but possible over the item's life."},
        {"value": 3, "name": "C Occasional", "description": "Expected to occur at some point."},
        {"value": 4, "name": "B Probable", "description": "Expected to occur several times."},
        {"value": 5, "name": "A Frequent", "description": "Expected to occur often."},
    ],
    "severity": [
        {
            "value": 1,
            "name": "4 Negligible",
            "description": "Injury without lost work days, minimal environmental impact, or a small loss.",
        },
        {
            "value": 2,
            "name": "3 Marginal",
            "description": "Injury with lost work days, reversible moderate environmental impact, or a moderate loss.",
        },
        {
            "value": 3,
            "name": "2 Critical",
            "description": "Permanent partial disability, several people hospitalised, reversible significant "
            "environmental impact, or a large loss.",
        },
        {
            "value": 4,
            "name": "1 Catastrophic",
            "description": "Death, permanent total disability, irreversible significant environmental impact, "
            "or a very large loss.",
        },
    ],
    "levels": [
        {"key": "low", "name": "Low", **_LOW, "acceptance": "Program manager."},
        {"key": "medium", "name": "Medium", **_MEDIUM, "acceptance": "Program manager."},
        {"key": "serious", "name": "Serious", **_SERIOUS, "acceptance": "Program executive."},
        {"key": "high", "name": "High", **_HIGH, "acceptance": "Component acquisition executive."},
    ],
    "grid": [
        ["low", "low", "low", "medium", "medium"],
        ["medium", "medium", "medium", "serious", "serious"],
        ["medium", "medium", "serious", "high", "high"],
        ["medium", "serious", "high", "high", "high"],
    ],
    "signoff_level": "serious",
    "five_point": {"likelihood": [1, 2, 3, 4, 5], "severity": [1, 1, 2, 3, 4]},
}

IEC_61508: dict[str, Any] = {
    "preset": "iec_61508",
    "name": "IEC 61508 (4 consequences × 6 likelihoods)",
    "likelihood": [
        {"value": 1, "name": "Incredible", "description": "Cannot be expected to occur at all."},
        {"value": 2, "name": "Improbable", "description": "Unlikely to occur during the system's life."},
        {"value": 3, "name": "Remote", "description": "Unlikely, but could occur during the system's life."},
        {"value": 4, "name": "Occasional", "description": "Likely to occur several times."},
        {"value": 5, "name": "Probable", "description": "Will occur several times."},
        {"value": 6, "name": "Frequent", "description": "Many times during the system's life."},
    ],
    "severity": [
        {"value": 1, "name": "Negligible", "description": "Minor injuries at worst."},
        {"value": 2, "name": "Marginal", "description": "Major injuries to one or more persons."},
        {"value": 3, "name": "Critical", "description": "Loss of a single life."},
        {"value": 4, "name": "Catastrophic", "description": "Multiple loss of life."},
    ],
    "levels": [
        {
            "key": "class_iv",
            "name": "Class IV",
            **_LOW,
            "acceptance": "Negligible risk; acceptable, perhaps with monitoring.",
        },
        {
            "key": "class_iii",
            "name": "Class III",
            **_MEDIUM,
            "acceptance": "Tolerable if further reduction would cost more than it gains.",
        },
        {
            "key": "class_ii",
            "name": "Class II",
            **_SERIOUS,
            "acceptance": "Undesirable; tolerable only if reduction is impracticable.",
        },
        {"key": "class_i", "name": "Class I", **_HIGH, "acceptance": "Intolerable."},
    ],
    "grid": [
        ["class_iv", "class_iv", "class_iv", "class_iii", "class_iii", "class_ii"],
        ["class_iv", "class_iv", "class_iii", "class_iii", "class_ii", "class_i"],
        ["class_iv", "class_iii", "class_iii", "class_ii", "class_i", "class_i"],
        ["class_iv", "class_iii", "class_ii", "class_i", "class_i", "class_i"],
    ],
    "signoff_level": "class_ii",
    "five_point": {"likelihood": [2, 3, 4, 5, 6], "severity": [1, 1, 2, 3, 4]},
}

PRESETS: dict[str, dict[str, Any]] = {
    DEFAULT_5X5["preset"]: DEFAULT_5X5,
    MIL_STD_882E["preset"]: MIL_STD_882E,
    IEC_61508["preset"]: IEC_61508,
}
DEFAULT_PRESET = DEFAULT_5X5["preset"]
PRESET_CHOICES = [(key, data["name"]) for key, data in PRESETS.items()]
