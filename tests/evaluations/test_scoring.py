"""pass@k, Wilson intervals, the decay fit and the reliable level, checked by examples and by properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations import scoring


@st.composite
def samples(draw):
    n = draw(st.integers(min_value=1, max_value=200))
    c = draw(st.integers(min_value=0, max_value=n))
    k = draw(st.integers(min_value=1, max_value=n))
    return n, c, k


def test_pass_at_k_matches_the_binomial_formula():
    n, c, k = 20, 3, 5
    assert scoring.pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k))


def test_pass_at_k_stays_finite_for_many_samples():
    assert scoring.pass_at_k(10_000, 1, 100) == pytest.approx(0.01)


@pytest.mark.parametrize(("n", "c", "k"), [(0, 0, 1), (5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6)])
def test_pass_at_k_refuses_invalid_arguments_including_k_above_n(n, c, k):
    with pytest.raises(ValueError):
        scoring.pass_at_k(n, c, k)


@given(samples())
def test_pass_at_1_is_the_plain_pass_rate(nck):
    n, c, _ = nck
    assert scoring.pass_at_k(n, c, 1) == pytest.approx(c / n)


@given(samples())
def test_pass_at_k_is_one_when_fewer_than_k_samples_fail(nck):
    n, c, k = nck
    if n - c < k:
        assert scoring.pass_at_k(n, c, k) == 1.0


@given(samples())
def test_pass_at_k_grows_with_passes_and_with_k(nck):
    n, c, k = nck
    value = scoring.pass_at_k(n, c, k)
    assert 0.0 <= value <= 1.0
    if c < n:
        assert scoring.pass_at_k(n, c + 1, k) >= value - 1e-12
    if k < n:
        assert scoring.pass_at_k(n, c, k + 1) >= value - 1e-12


def test_wilson_interval_of_no_trials_is_everything():
    assert scoring.wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_matches_a_known_value():
    low, high = scoring.wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))


def test_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError):
        scoring.wilson_interval(3, 2)


@given(st.integers(min_value=1, max_value=10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_estimate_and_stays_in_0_1(successes_trials):
    successes, trials = successes_trials
    low, high = scoring.wilson_interval(successes, trials)
    assert 0.0 <= low <= successes / trials <= high <= 1.0


@given(
    st.floats(min_value=0.05, max_value=1.0),
    st.floats(min_value=0.2, max_value=1.0),
    st.integers(min_value=2, max_value=13),
)
def test_fit_recovers_p1_and_ratio_from_exact_exponential_data(p1, ratio, levels):
    points = [(level, p1 * ratio ** (level - 1), 1_000_000) for level in range(1, levels + 1)]
    fit = scoring.fit_decay(points)
    assert fit is not None
    assert fit.p1 == pytest.approx(p1, rel=1e-2)
    assert fit.ratio == pytest.approx(ratio, rel=1e-2)


def test_fit_survives_levels_where_nothing_passed_and_says_the_ratio():
    fit = scoring.fit_decay([(1, 0.5, 20), (2, 0.2, 20), (3, 0.0, 20), (4, 0.0, 20)])
    assert fit is not None
    assert 0 < fit.ratio < 1
    assert sorted(fit.fitted) == [1, 2, 3, 4]
    assert f"multiplies the pass rate by {fit.ratio:.2f}" in fit.note
    assert "Codex-12B: about 0.33–0.5" in fit.note


def test_fit_needs_two_levels_with_samples():
    assert scoring.fit_decay([(1, 0.5, 10), (2, 0.0, 0)]) is None
    assert scoring.fit_decay([]) is None


def test_reliable_level_stops_at_the_first_failing_level():
    rates = {1: 0.9, 2: 0.8, 3: 0.4, 4: 0.85}
    assert scoring.reliable_level(rates, 0.5) == 2


def test_reliable_level_is_none_when_the_lowest_level_fails():
    assert scoring.reliable_level({2: 0.1, 3: 0.9}, 0.5) is None
    assert scoring.reliable_level({}, 0.5) is None
