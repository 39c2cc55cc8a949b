"""Models of the evaluations app: runs and their samples, model endpoints, teams' own suites."""

from evaluations.models.endpoints import ModelEndpoint
from evaluations.models.runs import EvaluationRun, RunSource, RunStatus, Sample
from evaluations.models.suites import CustomSuite

__all__ = ["CustomSuite", "EvaluationRun", "ModelEndpoint", "RunSource", "RunStatus", "Sample"]
