"""Historical Codex-12B figures from the Codex paper, drawn as a reference next to measured results."""

# Read off Figure 11 of Chen et al. (2021), "Evaluating Large Language Models Trained on Code", for the
# chained string-manipulation experiment. The paper gives no table, so these are approximate readings of
# a plotted curve: ~0.18 at 1 step, ~0.08 at 2, ~0.04 at 3, then at most ~0.02 from 4 to 7 steps.
CODEX_12B_CHAINED_STEPS: list[tuple[int, float]] = [
    (1, 0.18),
    (2, 0.08),
    (3, 0.04),
    (4, 0.02),
    (5, 0.01),
    (6, 0.01),
    (7, 0.005),
]
CODEX_12B_LABEL = "Codex-12B (2021, approx.)"
CODEX_12B_SOURCE = (
    "Chen et al. 2021, Evaluating Large Language Models Trained on Code, Fig. 11 "
    "(values read off the figure; approximate)"
)

# The figure caption says each added component cuts the pass rate by roughly 2-3x, i.e. a per-step
# ratio of about 1/3 to 1/2; the decay-fit note compares a measured ratio with this range.
CODEX_12B_STEP_RATIO_RANGE: tuple[float, float] = (0.33, 0.5)
