"""When cited evidence no longer speaks for the assessment: another model, or too old."""

import datetime

from django.utils import timezone


def _norm(text: str) -> str:
    return (text or "").strip().casefold()


def stale_reasons(run, assessment, *, now: datetime.datetime | None = None) -> list[str]:
    """Why a run is stale evidence for this assessment (empty: it is current)."""
    reasons = []
    if run.status != "completed":
        reasons.append(f"{run.ref} has not completed ({run.get_status_display().lower()}).")
    if assessment.model_name and _norm(run.model_name) != _norm(assessment.model_name):
        reasons.append(f"{run.ref} evaluated {run.model_name}, the assessment is about {assessment.model_name}.")
    if assessment.model_version and _norm(run.model_version) != _norm(assessment.model_version):
        reasons.append(
            f"{run.ref} evaluated version {run.model_version or '(none given)'}, "
            f"the assessment is about version {assessment.model_version}."
        )
    max_age = assessment.project.evidence_max_age_days
    measured = run.finished_at or run.created_at
    if measured and (now or timezone.now()) - measured > datetime.timedelta(days=max_age):
        reasons.append(f"{run.ref} is older than the project's limit of {max_age} days.")
    return reasons
