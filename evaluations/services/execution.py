"""The work of a run, in a Celery worker: completions from the endpoint, each sample run in the sandbox,
each completion scanned, then the run's figures.

Safe to run twice and to resume: a session-level advisory lock keeps a duplicate delivery off a run that
is being worked on, completions and outcomes are written in batches as they come, and a resumed run only
asks for what is still missing. Between batches the worker reads `cancel_requested`, so a cancel stops it
within one batch and keeps what was done. Model-written code never runs here: only inside the sandbox.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import advisory, audit
from assessments.models import Via
from evaluations import results, sandbox, security_scan, tasksets
from evaluations.endpoint.generation import EndpointError, GeneratedSample, TaskFailed, generate, wanted_samples
from evaluations.endpoint.secrets import SecretUnreadable
from evaluations.models import EvaluationRun, RunSource, RunStatus, Sample
from evaluations.models.runs import ACTIVE_STATUSES

logger = logging.getLogger(__name__)

ADVISORY_LOCK_CLASS = 6_002
# Samples run (and written) per batch: large enough to keep both cores busy, small enough that progress
# moves and a cancel is honoured within seconds.
EXECUTE_BATCH = 100
GENERATE_BATCH = 20
MAX_ERROR_NOTES = 20


class RunCancelled(Exception):
    pass


def _update(run: EvaluationRun, **fields) -> None:
    """Write fields of the run; its version moves too, so API clients polling with ETags see progress."""
    fields["updated_at"] = timezone.now()
    EvaluationRun.objects.filter(pk=run.pk).update(version=F("version") + 1, **fields)
    for field, value in fields.items():
        setattr(run, field, value)
    run.version += 1


def _check_cancel(run: EvaluationRun) -> None:
    if EvaluationRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
        raise RunCancelled


def run_execute(*, run_id: int) -> str:
    """Do (or resume) a run's work; returns its final status, or "busy" when another worker holds it."""
    with advisory.exclusive(ADVISORY_LOCK_CLASS, run_id) as acquired:
        if not acquired:
            return "busy"
        run = EvaluationRun.objects.select_related("project", "endpoint", "custom_suite").get(pk=run_id)
        if run.status not in ACTIVE_STATUSES:
            return run.status
        try:
            _check_cancel(run)
            ready, message = sandbox.available()
            if not ready:
                _finish(run, RunStatus.FAILED, f"Samples cannot run: {message}")
                return run.status
            if run.started_at is None:
                _update(run, started_at=timezone.now(), sandbox=sandbox.describe())
            tasks = {task.task_id: task for task in tasksets.tasks_for_run(run)}
            if run.source == RunSource.ENDPOINT:
                _generate(run, tasks)
            _execute(run, tasks)
            _complete(run)
        except RunCancelled:
            _finish(run, RunStatus.CANCELLED, run.error)
        except (EndpointError, SecretUnreadable) as exc:
            # Messages of endpoint errors are written to be shown: they never carry the key.
            _finish(run, RunStatus.FAILED, f"The model endpoint failed: {exc}")
        except Exception:
            logger.exception("Evaluation run %s failed", run_id)
            _finish(run, RunStatus.FAILED, "The run stopped on an internal error; the log has the details.")
        return run.status


def _generate(run: EvaluationRun, tasks: dict) -> None:
    """Ask the endpoint for every sample that has no completion yet, saving them in batches."""
    if run.endpoint is None:
        raise EndpointError("The run's model endpoint was removed before it finished; start a new run.")
    _update(run, status=RunStatus.GENERATING)
    have = set(Sample.objects.filter(run=run).values_list("task_id", "index"))
    wanted = [
        (task, i) for task, i in wanted_samples(tasks.values(), run.samples_per_task) if (task.task_id, i) not in have
    ]
    pending: list[Sample] = []
    notes: list[str] = []
    done = len(have)

    def flush() -> None:
        nonlocal done
        Sample.objects.bulk_create(pending, ignore_conflicts=True)
        done += len(pending)
        pending.clear()
        _update(run, progress_done=done)

    def cancelled() -> bool:
        return EvaluationRun.objects.filter(pk=run.pk, cancel_requested=True).exists()

    for item in generate(endpoint=run.endpoint, wanted=wanted, should_cancel=cancelled):
        if isinstance(item, GeneratedSample):
            pending.append(
                Sample(
                    run=run,
                    task_id=item.task_id,
                    level=tasks[item.task_id].level,
                    index=item.index,
                    completion=item.completion,
                )
            )
        elif isinstance(item, TaskFailed):
            if len(notes) < MAX_ERROR_NOTES:
                notes.append(f"{item.task_id}: {item.message}")
            # A task the endpoint never answered counts as failed samples, not as missing results.
            pending.extend(
                Sample(
                    run=run,
                    task_id=item.task_id,
                    level=tasks[item.task_id].level,
                    index=index,
                    completion="",
                    outcome="exception",
                    detail=f"No completion: {item.message}"[:500],
                )
                for index in item.indices
            )
        if len(pending) >= GENERATE_BATCH:
            flush()
    flush()
    if notes:
        _update(run, error="Some tasks got no completion from the endpoint:\n" + "\n".join(notes))
    _check_cancel(run)


def _execute(run: EvaluationRun, tasks: dict) -> None:
    """Run every sample without an outcome in the sandbox, batch by batch, with its security scan."""
    _update(run, status=RunStatus.EXECUTING, progress_total=Sample.objects.filter(run=run).count())
    while True:
        _check_cancel(run)
        batch = list(Sample.objects.filter(run=run, outcome="").order_by("pk")[:EXECUTE_BATCH])
        if not batch:
            break
        items = [(tasks[sample.task_id], sample.completion) for sample in batch]
        outcomes = sandbox.run_samples(items)
        findings = security_scan.scan_many([task.prompt + completion for task, completion in items])
        for sample, outcome, found in zip(batch, outcomes, findings, strict=True):
            sample.outcome = outcome.outcome
            sample.detail = outcome.detail[:500]
            sample.duration_ms = outcome.duration_ms
            sample.findings = [finding.as_dict() for finding in found]
            sample.finding_count = len(found)
        with transaction.atomic():
            Sample.objects.bulk_update(batch, ["outcome", "detail", "duration_ms", "findings", "finding_count"])
            _update(run, progress_done=Sample.objects.filter(run=run).exclude(outcome="").count())


def _complete(run: EvaluationRun) -> None:
    samples = list(
        Sample.objects.filter(run=run).values("task_id", "level", "index", "completion", "outcome", "findings")
    )
    summary = results.summarise(samples, scale=tasksets.scale_of(run))
    _update(run, summary=summary, results_sha256=results.results_digest(samples))
    _finish(run, RunStatus.COMPLETED, run.error)


def _finish(run: EvaluationRun, status: str, error: str) -> None:
    with transaction.atomic():
        before = run.status
        _update(run, status=status, error=error or "", finished_at=timezone.now())
        action = {RunStatus.COMPLETED: "evaluation.completed", RunStatus.FAILED: "evaluation.failed"}.get(
            status, "evaluation.cancelled"
        )
        changes = {"status": [before, status]}
        if status == RunStatus.COMPLETED:
            changes["pass_at_1"] = [None, run.summary.get("pass_at_1")]
        elif error:
            changes["error"] = [None, error[:300]]
        audit.record(actor=None, via=Via.TASK, action=action, project=run.project, obj=run, changes=changes)
