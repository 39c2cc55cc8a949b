"""The limits of every evaluation field, in one place that forms, serializers and services all read."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    label: str

    def check(self, value) -> str | None:
        """The problem with a value, or None when it is inside the range."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Give {self.label} as a number."
        if not self.low <= value <= self.high:
            return f"Choose {self.label} between {self.low:g} and {self.high:g}."
        return None


MODEL_NAME_MAX = 200
MODEL_VERSION_MAX = 100
ENDPOINT_NAME_MAX = 100
BASE_URL_MAX = 500
API_KEY_MAX = 500
NOTE_MAX = 2000

TEMPERATURE = Range(0, 2, "a temperature")
SAMPLES_PER_TASK = Range(1, 20, "the samples per task")
MAX_TOKENS = Range(16, 4096, "the maximum tokens")
TASKS_PER_LEVEL = Range(1, 50, "the tasks per level")
SEED = Range(0, 2**31 - 1, "a seed")
RELIABILITY_THRESHOLD = Range(50, 100, "a reliability threshold (per cent)")
EVIDENCE_MAX_AGE_DAYS = Range(1, 3650, "a maximum evidence age (days)")
# A task's level, and the level a citation says a hazard needs: the chained suite's 1 to 13 steps is the
# widest scale (rubric levels are 1 to 5), and teams' own tasks use the same one.
LEVEL = Range(1, 13, "a level")

# Uploaded files: completions of a full chained run (13 × 50 × 20 samples) fit comfortably.
COMPLETIONS_FILE_MAX_BYTES = 20 * 1024 * 1024
TASK_FILE_MAX_BYTES = 5 * 1024 * 1024
MAX_SAMPLES_PER_RUN = 13 * 50 * 20
