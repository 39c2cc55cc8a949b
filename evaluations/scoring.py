"""The statistics of an evaluation run: pass@k, Wilson intervals, the per-step decay fit, the reliable level."""

import math
from dataclasses import dataclass

from evaluations.reference_data import CODEX_12B_STEP_RATIO_RANGE

# Added to the successes (and twice to the trials) of every level before taking logs in fit_decay, so a
# level where nothing passed has a finite log rate. The same correction at every level keeps the fit
# unbiased in shape; it moves a rate by at most 0.5/(n+1), which is small next to the sampling error.
CONTINUITY_CORRECTION = 0.5


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate that at least one of k samples passes, given c of n samples passed.

    Computes 1 - C(n-c, k) / C(n, k) as 1 - prod_{i=n-c+1..n} (1 - k/i) (Chen et al. 2021), which never
    forms the huge binomial coefficients. Callers ask only for k <= n: with fewer samples than k there is
    no unbiased estimate, so k > n is a ValueError rather than a guess.
    """
    if n < 1 or k < 1 or not 0 <= c <= n:
        raise ValueError(f"pass_at_k needs n >= 1, k >= 1 and 0 <= c <= n; got n={n}, c={c}, k={k}")
    if k > n:
        raise ValueError(f"pass_at_k needs k <= n (k={k}, n={n}): too few samples for an unbiased estimate")
    if n - c < k:
        return 1.0
    failing_draws = 1.0
    for i in range(n - c + 1, n + 1):
        failing_draws *= 1.0 - k / i
    return 1.0 - failing_draws


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a pass rate; unlike the normal interval it stays sensible at 0 and 1."""
    if not 0 <= successes <= trials or z <= 0:
        raise ValueError(f"wilson_interval needs 0 <= successes <= trials and z > 0; got {successes}/{trials}")
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    z2 = z * z
    denominator = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # Rounding can put an end a hair past the estimate at 0 or 1; the interval must always contain it.
    low = 0.0 if successes == 0 else min(p, max(0.0, centre - half_width))
    high = 1.0 if successes == trials else max(p, min(1.0, centre + half_width))
    return (low, high)


@dataclass(frozen=True)
class DecayFit:
    """pass_rate ≈ p1 · ratio^(level-1), fitted to measured rates; `fitted` covers every level in range."""

    p1: float
    ratio: float
    fitted: dict[int, float]
    note: str


def fit_decay(points: list[tuple[int, float, int]]) -> DecayFit | None:
    """Fit the exponential fall of pass rate with level, from (level, pass_rate, n_samples) points.

    Weighted least squares on log rates: log p = log p1 + (level-1) · log ratio. Each rate first gets the
    continuity correction (passes + 0.5) / (n + 1), so a level where nothing passed still counts (as a
    low rate) instead of making the log infinite. Each point is weighted by the inverse of the delta-method
    variance of its log rate, n·p/(1-p): levels with many samples, and rates far from zero, count more.
    Returns None when fewer than two levels have any samples, since no slope can be fitted.
    """
    xs, ys, weights = [], [], []
    for level, rate, n in points:
        if n <= 0:
            continue
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"pass rate {rate} at level {level} is outside [0, 1]")
        corrected = (rate * n + CONTINUITY_CORRECTION) / (n + 2 * CONTINUITY_CORRECTION)
        xs.append(level - 1)
        ys.append(math.log(corrected))
        weights.append(n * corrected / (1.0 - corrected))
    if len(set(xs)) < 2:
        return None

    total = sum(weights)
    mean_x = sum(w * x for w, x in zip(weights, xs, strict=True)) / total
    mean_y = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, xs, strict=True))
    sxy = sum(w * (x - mean_x) * (y - mean_y) for w, x, y in zip(weights, xs, ys, strict=True))
    slope = sxy / sxx
    p1 = math.exp(mean_y - slope * mean_x)
    ratio = math.exp(slope)

    levels = range(min(xs) + 1, max(xs) + 2)
    fitted = {level: min(1.0, p1 * ratio ** (level - 1)) for level in levels}
    return DecayFit(p1=p1, ratio=ratio, fitted=fitted, note=_decay_note(ratio))


def _decay_note(ratio: float) -> str:
    low, high = CODEX_12B_STEP_RATIO_RANGE
    comparison = f"(Codex-12B: about {low:g}–{high:g})"
    if ratio >= 1.0:
        return f"the pass rate does not fall with added steps (ratio {ratio:.2f}) {comparison}"
    return f"each added step multiplies the pass rate by {ratio:.2f} {comparison}"


def reliable_level(rates: dict[int, float], threshold: float) -> int | None:
    """The highest level up to which every measured level passes at least `threshold`.

    A deployment can rely on the model only up to the first level it fails, even if a higher level
    happens to score well, so the walk stops there. None when the lowest measured level already fails.
    """
    reliable = None
    for level in sorted(rates):
        if rates[level] < threshold:
            break
        reliable = level
    return reliable
