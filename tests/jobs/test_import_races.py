"""An import runs at most once: a second "Import" (at the same time or later) and a racing preview are refused.

The races run on PostgreSQL with real threads: the main thread holds the target assessment's row lock,
which every import and preview needs, starts the racers one by one and waits until PostgreSQL reports each
of them blocked, then lets go (the pattern of tests/assessments/test_signoff_concurrency.py).
"""

import pytest
from django.db import transaction

from assessments.errors import InvalidInput
from assessments.models import Assessment, AuditEvent, ImportJob
from hazards.imports import service
from hazards.models import HazardScenario
from tests.assessments.test_signoff_concurrency import Racer, wait_until_blocked
from tests.jobs.test_imports import GOOD_ROWS, HEADERS, csv_bytes, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def job(project, assessment, contributor) -> ImportJob:
    return start(project, contributor, "register.csv", csv_bytes(HEADERS, GOOD_ROWS), assessment_id=assessment.pk)


def run_blocked_on(assessment, *fns) -> list[Racer]:
    racers = [Racer(fn) for fn in fns]
    with transaction.atomic():
        Assessment.objects.select_for_update().get(pk=assessment.pk)
        for n, racer in enumerate(racers, start=1):
            racer.start()
            wait_until_blocked(n)
    for racer in racers:
        racer.join(timeout=60)
        assert not racer.is_alive()
    return racers


def test_two_imports_of_one_file_at_the_same_time_import_it_once(assessment, contributor, job):
    first, second = run_blocked_on(
        assessment,
        lambda: service.import_apply(job_id=job.pk, by=contributor),
        lambda: service.import_apply(job_id=job.pk, by=contributor),
    )
    assert first.error is None and first.value.status == ImportJob.State.IMPORTED
    assert isinstance(second.error, InvalidInput)
    assert second.error.errors == {"__all__": ["This file has already been imported."]}
    assert HazardScenario.objects.filter(assessment=assessment).count() == len(GOOD_ROWS)
    assert AuditEvent.objects.filter(action="import.completed").count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.State.IMPORTED


def test_a_preview_racing_the_import_does_not_make_the_job_importable_again(assessment, contributor, job):
    applied, previewed = run_blocked_on(
        assessment,
        lambda: service.import_apply(job_id=job.pk, by=contributor),
        lambda: service.import_preview(job_id=job.pk, by=contributor),
    )
    assert applied.error is None
    assert isinstance(previewed.error, InvalidInput)
    stored = ImportJob.objects.get(pk=job.pk)
    assert stored.status == ImportJob.State.IMPORTED
    assert stored.report["imported"] == len(GOOD_ROWS)
    with pytest.raises(InvalidInput, match="already been imported"):
        service.import_apply(job_id=job.pk, by=contributor)
    assert HazardScenario.objects.filter(assessment=assessment).count() == len(GOOD_ROWS)


def test_importing_a_file_again_later_is_refused_and_writes_nothing(assessment, contributor, job):
    service.import_apply(job_id=job.pk, by=contributor)
    with pytest.raises(InvalidInput, match="already been imported"):
        service.import_apply(job_id=job.pk, by=contributor)
    assert HazardScenario.objects.filter(assessment=assessment).count() == len(GOOD_ROWS)
    assert AuditEvent.objects.filter(action="import.completed").count() == 1


def test_a_failed_import_is_reported_and_can_be_tried_again(assessment, contributor, project):
    bad = [["Licence-encumbered code", "", "Astrology", 2, 2, 1, 2, "", "", "", None, None, None, ""]]
    job = start(project, contributor, "register.csv", csv_bytes(HEADERS, bad), assessment_id=assessment.pk)
    failed = service.import_apply(job_id=job.pk, by=contributor)
    assert failed.status == ImportJob.State.FAILED and failed.finished_at is not None
    assert failed.report["errors"][0]["column"] == "Category"
    again = service.import_apply(job_id=job.pk, by=contributor)
    assert again.status == ImportJob.State.FAILED
    assert not HazardScenario.objects.filter(assessment=assessment).exists()
