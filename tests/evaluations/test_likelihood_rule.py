"""The method's two-way rule (framework §4.5), with the numbers it shows as its reasons."""

from evaluations.likelihood import CAPABILITY_ENABLED, CAPABILITY_GAP, Context, suggest

RATES = {1: 0.95, 2: 0.85, 3: 0.5, 4: 0.2, 5: 0.05}


def gap(context: Context, rates=RATES):
    return suggest(relation=CAPABILITY_GAP, rates=rates, threshold=0.8, axis_size=5, scale="level", context=context)


def enabled(level, rates=RATES):
    return suggest(
        relation=CAPABILITY_ENABLED, rates=rates, threshold=0.8, axis_size=5, scale="level", needed_level=level
    )


def test_capability_enabled_hazards_are_capped_while_the_needed_level_is_unreliable():
    assert enabled(5).value == 1  # 5% → 1, and under the cap
    assert enabled(3).value == 2  # 50% reads as 3, capped at 2: level 3 is below the 80% threshold
    assert "capped at 2" in enabled(3).reasons[-1]
    assert enabled(1).value == 5  # reliable: no cap, 95% reads as 5


def test_capability_enabled_rises_with_capability():
    weak = enabled(2, rates={1: 0.3, 2: 0.1})
    strong = enabled(2, rates={1: 0.99, 2: 0.9})
    assert weak.value < strong.value


def test_capability_gap_hazards_add_one_above_the_reliable_level_and_one_for_novices_or_weak_review():
    assert gap(Context(typical_level=2)).value == 2  # fails 15% → 2; reliable up to 2: no increase
    above = gap(Context(typical_level=3))
    assert above.value == 4  # fails 50% → 3, +1 above the reliable level 2
    assert any("+1: that is above the model's reliable level" in r for r in above.reasons)
    assert gap(Context(typical_level=3, novice_users=True)).value == 5
    assert gap(Context(typical_level=4, weak_review=True)).value == 5  # capped at the top of the axis


def test_without_context_or_results_there_is_no_suggestion_and_it_says_why():
    assert gap(Context(typical_level=None)).value is None
    assert "typical" in gap(Context(typical_level=None)).missing
    assert suggest(relation=CAPABILITY_GAP, rates={}, threshold=0.8, axis_size=5, scale="level").missing


def test_a_level_the_run_did_not_measure_reads_the_nearest_below():
    result = gap(Context(typical_level=9))
    assert result.figures["measured_level"] == 5
