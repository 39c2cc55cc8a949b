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
    too_old = too_old_from(run, assessment)
    if too_old and (now or timezone.now()) > too_old:
        max_age = assessment.project.evidence_max_age_days
        reasons.append(f"{run.ref} is older than the project's limit of {max_age} days.")
    return reasons


def too_old_from(run, assessment) -> datetime.datetime | None:
    """From when the run is older than the project allows (None: it has no time of measurement)."""
    measured = run.finished_at or run.created_at
    return measured + datetime.timedelta(days=assessment.project.evidence_max_age_days) if measured else None
