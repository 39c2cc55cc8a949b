"""The risk-matrix presets, checked cell by cell against the tables in the hazard framework reference."""

import copy

import pytest

from hazards import scoring

# Written as the reference prints them: one row per likelihood (highest first), one column per severity
# (worst first), so the test does not share the representation of hazards/matrices.py.
MIL_882E = {
    "A Frequent": ["High", "High", "Serious", "Medium"],
    "B Probable": ["High", "High", "Serious", "Medium"],
    "C Occasional": ["High", "Serious", "Medium", "Low"],
    "D Remote": ["Serious", "Medium", "Medium", "Low"],
    "E Improbable": ["Medium", "Medium", "Medium", "Low"],
}
MIL_SEVERITIES = ["1 Catastrophic", "2 Critical", "3 Marginal", "4 Negligible"]

IEC_61508 = {
    "Frequent": ["Class I", "Class I", "Class I", "Class II"],
    "Probable": ["Class I", "Class I", "Class II", "Class III"],
    "Occasional": ["Class I", "Class II", "Class III", "Class III"],
    "Remote": ["Class II", "Class III", "Class III", "Class IV"],
    "Improbable": ["Class III", "Class III", "Class IV", "Class IV"],
    "Incredible": ["Class IV", "Class IV", "Class IV", "Class IV"],
}
IEC_SEVERITIES = ["Catastrophic", "Critical", "Marginal", "Negligible"]

# The proposal in §3.3: rows severity 5..1, columns likelihood 1..5.
DEFAULT = {
    "Catastrophic": ["Medium", "Serious", "High", "High", "High"],
    "Critical": ["Medium", "Medium", "Serious", "High", "High"],
    "Moderate": ["Medium", "Medium", "Medium", "Serious", "Serious"],
    "Minor": ["Low", "Low", "Medium", "Medium", "Serious"],
    "Negligible": ["Low", "Low", "Low", "Medium", "Medium"],
}
DEFAULT_LIKELIHOODS = ["Improbable", "Remote", "Occasional", "Probable", "Frequent"]


def _value(matrix, axis, name):
    return next(level["value"] for level in matrix[axis] if level["name"] == name)


def _cells_mil():
    for likelihood, row in MIL_882E.items():
        for severity, expected in zip(MIL_SEVERITIES, row, strict=True):
            yield likelihood, severity, expected


def _cells_iec():
    for likelihood, row in IEC_61508.items():
        for severity, expected in zip(IEC_SEVERITIES, row, strict=True):
            yield likelihood, severity, expected


def _cells_default():
    for severity, row in DEFAULT.items():
        for likelihood, expected in zip(DEFAULT_LIKELIHOODS, row, strict=True):
            yield likelihood, severity, expected


@pytest.mark.parametrize(("likelihood", "severity", "expected"), list(_cells_mil()))
def test_mil_std_882e_cell_matches_the_standard(likelihood, severity, expected):
    matrix = scoring.preset("mil_std_882e")
    level = scoring.level_for(matrix, _value(matrix, "likelihood", likelihood), _value(matrix, "severity", severity))
    assert level.name == expected


@pytest.mark.parametrize(("likelihood", "severity", "expected"), list(_cells_iec()))
def test_iec_61508_cell_matches_the_standard(likelihood, severity, expected):
    matrix = scoring.preset("iec_61508")
    level = scoring.level_for(matrix, _value(matrix, "likelihood", likelihood), _value(matrix, "severity", severity))
    assert level.name == expected


@pytest.mark.parametrize(("likelihood", "severity", "expected"), list(_cells_default()))
def test_default_5x5_cell_matches_the_proposal(likelihood, severity, expected):
    matrix = scoring.preset("default_5x5")
    level = scoring.level_for(matrix, _value(matrix, "likelihood", likelihood), _value(matrix, "severity", severity))
    assert level.name == expected


@pytest.mark.parametrize(
    ("key", "needing_signoff"),
    [
        ("default_5x5", {"Serious", "High"}),
        ("mil_std_882e", {"Serious", "High"}),
        ("iec_61508", {"Class I", "Class II"}),
    ],
)
def test_every_cell_of_every_preset_has_a_level_and_signoff_follows_rank(key, needing_signoff):
    matrix = scoring.validate(scoring.preset(key))
    # The reference names the levels that need sign-off; the flag must match it, not just its own rule.
    assert {level.name for level in scoring.levels(matrix) if level.needs_signoff} == needing_signoff
    threshold = scoring.signoff_rank(matrix)
    for severity in range(1, scoring.axis_size(matrix, "severity") + 1):
        for likelihood in range(1, scoring.axis_size(matrix, "likelihood") + 1):
            level = scoring.level_for(matrix, likelihood, severity)
            assert level.needs_signoff == (level.rank >= threshold)


@pytest.mark.parametrize("key", ["default_5x5", "mil_std_882e", "iec_61508"])
def test_risk_never_falls_when_likelihood_or_severity_rises(key):
    matrix = scoring.preset(key)
    rows, cols = scoring.axis_size(matrix, "severity"), scoring.axis_size(matrix, "likelihood")
    for s in range(1, rows + 1):
        for lik in range(1, cols + 1):
            rank = scoring.level_for(matrix, lik, s).rank
            if lik < cols:
                assert scoring.level_for(matrix, lik + 1, s).rank >= rank
            if s < rows:
                assert scoring.level_for(matrix, lik, s + 1).rank >= rank


def test_an_unrated_axis_has_no_level():
    matrix = scoring.preset("default_5x5")
    assert scoring.level_for(matrix, None, 3) is None
    assert scoring.level_for(matrix, 2, None) is None


def test_a_rating_outside_the_matrix_is_refused():
    matrix = scoring.preset("mil_std_882e")
    with pytest.raises(ValueError, match="outside this matrix"):
        scoring.level_for(matrix, 3, 5)


@pytest.mark.parametrize(
    ("key", "likelihoods", "severities"),
    [
        ("default_5x5", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
        ("mil_std_882e", [1, 2, 3, 4, 5], [1, 1, 2, 3, 4]),
        ("iec_61508", [2, 3, 4, 5, 6], [1, 1, 2, 3, 4]),
    ],
)
def test_catalogue_ratings_map_onto_each_preset(key, likelihoods, severities):
    matrix = scoring.preset(key)
    assert [scoring.from_five_point(matrix, "likelihood", v) for v in range(1, 6)] == likelihoods
    assert [scoring.from_five_point(matrix, "severity", v) for v in range(1, 6)] == severities


def test_a_preset_is_a_copy_that_edits_cannot_leak_into():
    first = scoring.preset("default_5x5")
    first["levels"][0]["name"] = "Changed"
    assert scoring.preset("default_5x5")["levels"][0]["name"] == "Low"


def test_unknown_preset_is_refused_with_the_choices():
    with pytest.raises(scoring.MatrixError, match="default_5x5"):
        scoring.preset("nope")


def test_validation_names_every_problem_of_a_broken_matrix():
    matrix = copy.deepcopy(scoring.preset("default_5x5"))
    matrix["grid"][0][0] = "purple"
    matrix["signoff_level"] = "extreme"
    matrix["likelihood"][1]["value"] = 7
    with pytest.raises(scoring.MatrixError) as excinfo:
        scoring.validate(matrix)
    problems = " ".join(excinfo.value.problems)
    assert "unknown level 'purple'" in problems
    assert "sign-off level" in problems
    assert "likelihood level 2 must have value 2" in problems


def test_a_grid_with_a_missing_row_is_refused():
    matrix = scoring.preset("iec_61508")
    matrix["grid"].pop()
    with pytest.raises(scoring.MatrixError, match="one row per severity level"):
        scoring.validate(matrix)


def test_an_edited_matrix_with_other_axes_is_valid_and_maps_proportionally():
    matrix = {
        "name": "3 × 3",
        "likelihood": [{"value": i, "name": n} for i, n in enumerate(["Low", "Mid", "High"], start=1)],
        "severity": [{"value": i, "name": n} for i, n in enumerate(["Minor", "Major", "Severe"], start=1)],
        "levels": [{"key": "ok", "name": "OK"}, {"key": "bad", "name": "Bad"}],
        "grid": [["ok", "ok", "bad"], ["ok", "bad", "bad"], ["bad", "bad", "bad"]],
        "signoff_level": "bad",
    }
    scoring.validate(matrix)
    assert [scoring.from_five_point(matrix, "likelihood", v) for v in range(1, 6)] == [1, 2, 2, 2, 3]
    assert scoring.level_for(matrix, 3, 1).name == "Bad"
