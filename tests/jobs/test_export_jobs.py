"""The life of an export job: request, permission, progress, failure, re-runs, stuck jobs and expiry."""

import datetime
import os
import time

import psycopg
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from assessments.errors import InvalidInput, QueueUnavailable
from assessments.exports import service
from assessments.models import AuditEvent, ExportJob
from tests.factories import make_assessment, make_hazard


def test_member_request_records_a_queued_job_and_an_audit_event(register, viewer, celery_eager):
    job = service.export_request(assessment_id=register.pk, by=viewer, format="xlsx")
    job.refresh_from_db()
    assert job.requested_by == viewer
    assert job.status == ExportJob.State.DONE
    assert job.progress == 100
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    ttl = job.expires_at - job.finished_at
    assert datetime.timedelta(hours=71) < ttl <= datetime.timedelta(hours=72)
    actions = list(AuditEvent.objects.filter(object_type="exportjob", object_id=job.pk).values_list("action", "via"))
    assert sorted(actions) == [("export.completed", "task"), ("export.requested", "web")]


def test_outsider_cannot_export_another_projects_assessment(register, outsider, other_project, celery_eager):
    with pytest.raises(PermissionDenied):
        service.export_request(assessment_id=register.pk, by=outsider, format="pdf")
    assert not ExportJob.objects.exists()


def test_unknown_format_is_refused_with_the_choices(register, contributor):
    with pytest.raises(InvalidInput) as error:
        service.export_request(assessment_id=register.pk, by=contributor, format="docx")
    assert "pdf, xlsx, csv, json" in error.value.errors["format"][0]
    assert not ExportJob.objects.exists()


def test_pdf_of_a_register_beyond_the_limit_is_refused_and_other_formats_offered(register, contributor, monkeypatch):
    monkeypatch.setattr(service, "PDF_MAX_SCENARIOS", 2)
    with pytest.raises(InvalidInput) as error:
        service.export_request(assessment_id=register.pk, by=contributor, format="pdf")
    assert "3 scenarios" in error.value.errors["format"][0]
    assert "XLSX" in error.value.errors["format"][0]
    assert not ExportJob.objects.exists()


def test_a_failing_export_is_marked_failed_and_says_why(register, contributor, celery_eager, monkeypatch):
    def broken(document, path, progress):
        raise ValueError("the disk is full")

    monkeypatch.setattr(service.to_json, "write", broken)
    job = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    job.refresh_from_db()
    assert job.status == ExportJob.State.FAILED
    assert "the disk is full" in job.error
    assert not job.file
    assert AuditEvent.objects.filter(action="export.failed", object_id=job.pk).exists()


def test_running_a_finished_job_again_changes_nothing(register, contributor, celery_eager):
    job = service.export_request(assessment_id=register.pk, by=contributor, format="csv")
    job.refresh_from_db()
    finished_at, name = job.finished_at, job.file.name
    assert service.export_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.finished_at, job.file.name, job.attempts) == (finished_at, name, 1)


def test_a_job_whose_worker_died_is_rebuilt_over_its_partial_file(register, contributor, settings):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    # What a worker killed mid-export leaves: the job running, one attempt used, perhaps a file.
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, progress=40)
    partial = settings.MEDIA_ROOT / "exports" / str(job.pk)
    partial.mkdir(parents=True)
    (partial / service.export_filename(job)).write_text("{partial")
    service.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE
    assert job.attempts == 2
    assert os.listdir(partial) == [job.filename]
    assert (partial / job.filename).read_text().startswith("{")
    assert '"schema": "hazlog.export/1"' in (partial / job.filename).read_text()


def test_a_job_lost_three_times_is_failed_instead_of_retried_forever(register, contributor):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="pdf", attempts=3)
    ExportJob.objects.filter(pk=job.pk).update(status="running")
    assert service.export_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportJob.State.FAILED
    assert "stopped 3 times" in job.error


def test_a_job_whose_requester_left_the_project_is_not_built(register, contributor):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    register.project.memberships.filter(user=contributor).delete()
    contributor.__dict__.pop("_hazlog_roles", None)
    service.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.State.FAILED
    assert "no longer a member" in job.error
    assert not job.file


def test_a_second_worker_leaves_a_job_that_another_worker_is_building(register, contributor):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    params = connection.get_connection_params()
    other = psycopg.connect(
        dbname=params["dbname"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [service.ADVISORY_LOCK_CLASS, job.pk])
        assert service.export_run(job_id=job.pk) is None
        job.refresh_from_db()
        assert (job.status, job.attempts) == (ExportJob.State.QUEUED, 0)
    finally:
        other.close()
    # The lock dies with the connection that held it (as with a killed worker); the server drops it
    # as soon as the closed session's backend has exited.
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [service.ADVISORY_LOCK_CLASS, job.pk],
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    service.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE


def test_progress_only_moves_forward_and_is_written_for_pages_to_poll(register, contributor):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="pdf", status="running")
    progress = service._Progress(job)
    seen = []
    for percent in (3, 10, 12, 40, 39, 80, 100):
        progress(percent)
        seen.append(ExportJob.objects.values_list("progress", flat=True).get(pk=job.pk))
    assert seen == [0, 10, 10, 40, 40, 80, 99]


def test_broker_down_keeps_the_job_marked_not_queued_and_says_to_retry(register, contributor, broker_down):
    with pytest.raises(QueueUnavailable) as error:
        service.export_request(assessment_id=register.pk, by=contributor, format="xlsx")
    assert "retry" in str(error.value)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.State.QUEUED
    assert job.error == service.QUEUE_DOWN_NOTE
    # Asking again while it still waits reuses the job rather than piling up duplicates.
    with pytest.raises(QueueUnavailable):
        service.export_request(assessment_id=register.pk, by=contributor, format="xlsx")
    assert ExportJob.objects.count() == 1


def test_the_sweep_queues_jobs_that_missed_the_broker_once_it_is_back(register, contributor, broker_down):
    with pytest.raises(QueueUnavailable):
        service.export_request(assessment_id=register.pk, by=contributor, format="json")
    job = ExportJob.objects.get()
    assert service.export_requeue_stuck() == 0  # still down: nothing queued, nothing lost
    job.refresh_from_db()
    assert job.error == service.QUEUE_DOWN_NOTE


def test_the_sweep_requeues_unqueued_lost_and_orphaned_jobs_but_not_fresh_ones(register, contributor, celery_eager):
    now = timezone.now()
    unqueued = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    lost = ExportJob.objects.create(assessment=register, requested_by=contributor, format="csv")
    orphaned = ExportJob.objects.create(assessment=register, requested_by=contributor, format="xlsx")
    fresh = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    ExportJob.objects.filter(pk=unqueued.pk).update(error=service.QUEUE_DOWN_NOTE)
    ExportJob.objects.filter(pk=lost.pk).update(updated_at=now - datetime.timedelta(minutes=6))
    ExportJob.objects.filter(pk=orphaned.pk).update(
        status="running", attempts=1, updated_at=now - datetime.timedelta(minutes=31)
    )
    assert service.export_requeue_stuck() == 3
    states = dict(ExportJob.objects.values_list("pk", "status"))
    assert states == {unqueued.pk: "done", lost.pk: "done", orphaned.pk: "done", fresh.pk: "queued"}
    assert ExportJob.objects.get(pk=unqueued.pk).error == ""


def test_expired_export_files_are_removed_and_the_rows_kept(register, contributor, celery_eager, settings):
    old = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    current = service.export_request(assessment_id=register.pk, by=contributor, format="csv")
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    old.refresh_from_db()
    current.refresh_from_db()
    old_path, current_path = old.file.path, current.file.path
    assert service.export_remove_expired() == 1
    assert service.export_remove_expired() == 0
    old.refresh_from_db()
    assert not old.file and old.status == ExportJob.State.DONE
    assert not os.path.exists(old_path)
    assert os.path.exists(current_path)


def _grow(assessment, contributor, approver, owners, *, scenarios: int) -> None:
    """Scenarios with consequences, mitigations of different owners and risk acceptances."""
    from hazards import services

    for n in range(scenarios):
        scenario = make_hazard(assessment, contributor, title=f"More {n}", owner=owners[n % len(owners)])
        for c in range(2):
            services.consequence_create(
                hazard_id=scenario.pk,
                by=contributor,
                description=f"Consequence {c} of {scenario.ref}",
                harm_type="security",
                affected_party="end_users",
                severity=2 + c,
            )
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=contributor,
            title=f"Mitigation of {scenario.ref}",
            kind="technical_control",
            hazard_ids=[scenario.pk],
            owner=owners[(n + 1) % len(owners)],
            due_date=timezone.localdate() + datetime.timedelta(days=n),
            external_system="jira",
            external_key=f"SEC-{n}",
        )
        services.acceptance_grant(
            hazard_id=scenario.pk,
            by=approver,
            rationale=f"Tolerable for {scenario.ref}",
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )


def test_export_queries_stay_constant_as_the_register_grows(
    project, contributor, reviewer, approver, owner, django_assert_max_num_queries, celery_eager
):
    from assessments.exports import document
    from assessments.services import workflow

    owners = [contributor, reviewer, approver, owner]
    small_assessment = make_assessment(project, contributor, title="Small")
    _grow(small_assessment, contributor, approver, owners, scenarios=1)
    large_assessment = make_assessment(project, contributor, title="Large")
    _grow(large_assessment, contributor, approver, owners, scenarios=12)

    def measure(assessment, stage):
        assessment.refresh_from_db()
        with django_assert_max_num_queries(12) as captured:
            exported = document.build(assessment)
        assert exported["source"] == stage
        return len(captured.captured_queries), exported

    small, small_doc = measure(small_assessment, "live")
    large, large_doc = measure(large_assessment, "live")
    assert small == large
    assert (len(small_doc["scenarios"]), len(large_doc["scenarios"])) == (1, 12)
    assert {m["owner"] for m in large_doc["mitigations"]} == {"alice", "bob", "carol", "olivia"}
    assert sum(len(s["consequences"]) for s in large_doc["scenarios"]) == 24

    for assessment in (small_assessment, large_assessment):
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
        workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    small, small_doc = measure(small_assessment, "snapshot")
    large, large_doc = measure(large_assessment, "snapshot")
    assert small == large
    assert (len(small_doc["scenarios"]), len(large_doc["scenarios"])) == (1, 12)
    assert {m["owner"] for m in large_doc["mitigations"]} == {"alice", "bob", "carol", "olivia"}
    assert [a["approver"] for a in large_doc["approvals"]] == ["carol"]
