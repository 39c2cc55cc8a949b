"""Creating, queueing and cancelling evaluation runs; the work itself is in execution.py.

A run is recorded with its exact task set (suite, version, seed, tasks per level and the set's digest)
before anything runs, so results can always be traced back to the tasks that produced them.
"""

import datetime
import logging
import threading

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments import audit, permissions
from assessments.errors import InvalidInput, InvalidTransition
from assessments.models import Project, Via
from assessments.versioning import lock
from evaluations import completions_file, limits, tasksets
from evaluations.models import CustomSuite, EvaluationRun, ModelEndpoint, RunSource, RunStatus, Sample
from evaluations.models.runs import ACTIVE_STATUSES
from evaluations.suites import BUILTIN_SUITES

logger = logging.getLogger(__name__)

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can run evaluations."
# A queued run not started after this long has lost its message (e.g. Redis restarted empty); an active
# run not heard from for this long has lost its worker. The sweep queues both again; execution resumes.
QUEUED_GRACE = datetime.timedelta(minutes=5)
ACTIVE_STALE = datetime.timedelta(minutes=30)
QUEUE_DOWN = "The job queue was unavailable; Hazlog will start the run by itself once it is back."


def _project_for_run(project_id: int, by: User) -> Project:
    project = Project.objects.get(pk=project_id)
    if not permissions.can_contribute(by, project):
        raise PermissionDenied(CONTRIBUTORS_ONLY)
    return project


def _text(value, field: str, max_length: int, errors: dict, *, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str):
        errors[field] = ["Give this as text."]
        return ""
    if required and not value:
        errors[field] = ["This field is required."]
    elif len(value) > max_length:
        errors[field] = [f"Keep this under {max_length} characters."]
    return value


def resolve_task_set(
    *, project: Project, suite_key: str, suite_version: str | None, seed, tasks_per_level, custom_suite_id=None
) -> dict:
    """Check a suite choice and return the run fields naming its exact task set, with the tasks."""
    errors: dict[str, list[str]] = {}
    custom = None
    if suite_key == tasksets.CUSTOM:
        custom = CustomSuite.objects.filter(project=project, pk=custom_suite_id).first() if custom_suite_id else None
        if custom is None:
            raise InvalidInput({"custom_suite": ["Choose one of this project's own suites."]})
        version, seed = str(custom.version), 0
    elif suite_key in BUILTIN_SUITES:
        suite = BUILTIN_SUITES[suite_key]
        version = suite_version or suite.latest_version
        if version not in suite.versions:
            errors["suite_version"] = [f"Choose one of the versions {', '.join(suite.versions)}."]
        if not suite.seeded:
            seed = 0
    else:
        choices = [*BUILTIN_SUITES, tasksets.CUSTOM]
        raise InvalidInput({"suite": [f"Choose one of: {', '.join(choices)}."]})
    if tasks_per_level is None or tasks_per_level == "":
        tasks_per_level = BUILTIN_SUITES[suite_key].default_tasks_per_level if custom is None else 50
    seed = 0 if seed in (None, "") else seed
    for field, value, rule in (
        ("tasks_per_level", tasks_per_level, limits.TASKS_PER_LEVEL),
        ("seed", seed, limits.SEED),
    ):
        problem = rule.check(value) if isinstance(value, int) else f"Give {rule.label} as a whole number."
        if problem:
            errors[field] = [problem]
    if errors:
        raise InvalidInput(errors)
    if custom is not None:
        tasks = tasksets.custom_tasks(custom)
        fields = {"suite_key": tasksets.CUSTOM, "suite_version": version, "seed": 0, "custom_suite": custom}
        run_like = EvaluationRun(tasks_per_level=tasks_per_level, **fields)
        tasks = tasksets.tasks_for_run(run_like)
    else:
        tasks = tasksets.builtin_tasks(suite_key, version=version, seed=seed, tasks_per_level=tasks_per_level)
        fields = {"suite_key": suite_key, "suite_version": version, "seed": seed, "custom_suite": None}
    return {**fields, "tasks_per_level": tasks_per_level, "task_set_digest": tasksets.digest(tasks), "tasks": tasks}


def _next_number(project: Project) -> int:
    # Taken under the project row lock, so two runs created at once never share a number.
    lock(Project, project.pk)
    return (EvaluationRun.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1


def _record_created(run: EvaluationRun, by: User | None, via: str) -> None:
    audit.record(
        actor=by,
        via=via,
        action="evaluation.created",
        project=run.project,
        obj=run,
        changes=audit.snapshot_fields(
            run, ["model_name", "model_version", "suite_key", "suite_version", "seed", "tasks_per_level", "source"]
        ),
    )


@transaction.atomic
def run_create_from_upload(
    *,
    project_id: int,
    by: User,
    model_name: str,
    model_version: str = "",
    suite_key: str,
    suite_version: str | None = None,
    seed=0,
    tasks_per_level=None,
    custom_suite_id=None,
    completions: bytes,
    via: str = Via.WEB,
) -> EvaluationRun:
    """A run from a JSONL of completions (HumanEval harness shape); queued to run in the sandbox."""
    project = _project_for_run(project_id, by)
    errors: dict[str, list[str]] = {}
    model_name = _text(model_name, "model_name", limits.MODEL_NAME_MAX, errors, required=True)
    model_version = _text(model_version, "model_version", limits.MODEL_VERSION_MAX, errors, required=False)
    if errors:
        raise InvalidInput(errors)
    task_set = resolve_task_set(
        project=project,
        suite_key=suite_key,
        suite_version=suite_version,
        seed=seed,
        tasks_per_level=tasks_per_level,
        custom_suite_id=custom_suite_id,
    )
    if len(completions) > limits.COMPLETIONS_FILE_MAX_BYTES:
        raise InvalidInput(
            {"completions": [f"The file is larger than {limits.COMPLETIONS_FILE_MAX_BYTES // (1024 * 1024)} MB."]}
        )
    tasks = {task.task_id: task for task in task_set.pop("tasks")}
    try:
        parsed = completions_file.parse(completions, known_task_ids=set(tasks), max_samples=limits.MAX_SAMPLES_PER_RUN)
    except completions_file.CompletionsFileError as exc:
        raise InvalidInput({"completions": exc.problems}) from None
    per_task: dict[str, int] = {}
    for item in parsed:
        per_task[item.task_id] = per_task.get(item.task_id, 0) + 1
    missing = [task_id for task_id in tasks if task_id not in per_task]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InvalidInput(
            {
                "completions": [
                    f"The file has no completions for {len(missing)} of the suite's {len(tasks)} tasks: {shown}."
                ]
            }
        )
    run = EvaluationRun.objects.create(
        project=project,
        number=_next_number(project),
        model_name=model_name,
        model_version=model_version,
        source=RunSource.UPLOAD,
        samples_per_task=max(per_task.values()),
        progress_total=len(parsed),
        created_by=by,
        **task_set,
    )
    Sample.objects.bulk_create(
        [
            Sample(
                run=run,
                task_id=item.task_id,
                level=tasks[item.task_id].level,
                index=item.sample_index,
                completion=item.completion,
            )
            for item in parsed
        ],
        batch_size=1000,
    )
    _record_created(run, by, via)
    transaction.on_commit(lambda: run_queue(run))
    return run


@transaction.atomic
def run_create_from_endpoint(
    *,
    project_id: int,
    by: User,
    endpoint_id: int,
    model_version: str = "",
    suite_key: str,
    suite_version: str | None = None,
    seed=0,
    tasks_per_level=None,
    custom_suite_id=None,
    via: str = Via.WEB,
) -> EvaluationRun:
    """A run whose completions a worker asks the project's model endpoint for, then runs in the sandbox."""
    project = _project_for_run(project_id, by)
    endpoint = ModelEndpoint.objects.filter(project=project, pk=endpoint_id).first()
    if endpoint is None:
        raise InvalidInput({"endpoint": ["Choose one of this project's model endpoints."]})
    if not endpoint.api_key_encrypted:
        raise InvalidInput({"endpoint": [f"{endpoint.name} has no API key; set one first."]})
    errors: dict[str, list[str]] = {}
    model_version = _text(model_version, "model_version", limits.MODEL_VERSION_MAX, errors, required=False)
    if errors:
        raise InvalidInput(errors)
    task_set = resolve_task_set(
        project=project,
        suite_key=suite_key,
        suite_version=suite_version,
        seed=seed,
        tasks_per_level=tasks_per_level,
        custom_suite_id=custom_suite_id,
    )
    tasks = task_set.pop("tasks")
    run = EvaluationRun.objects.create(
        project=project,
        number=_next_number(project),
        model_name=endpoint.model,
        model_version=model_version,
        source=RunSource.ENDPOINT,
        endpoint=endpoint,
        samples_per_task=endpoint.samples_per_task,
        progress_total=len(tasks) * endpoint.samples_per_task,
        created_by=by,
        **task_set,
    )
    _record_created(run, by, via)
    transaction.on_commit(lambda: run_queue(run))
    return run


def run_queue(run: EvaluationRun) -> None:
    """Publish a committed run to the workers; a broker outage leaves a note and the sweep retries."""
    from evaluations.tasks import evaluations_run

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default has no worker: a run of minutes must not hold the request that created it.
        threading.Thread(target=_run_in_process, args=(run.pk,), daemon=True, name=f"run-{run.pk}").start()
        return
    try:
        evaluations_run.delay(run.pk)
    except (OperationalError, OSError) as exc:
        logger.warning("Could not queue evaluation run %s: %s", run.pk, exc)
        EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(error=QUEUE_DOWN)


def _run_in_process(run_id: int) -> None:
    from evaluations.services.execution import run_execute

    try:
        run_execute(run_id=run_id)
    finally:
        connection.close()


@transaction.atomic
def run_cancel(*, run_id: int, by: User, via: str = Via.WEB) -> EvaluationRun:
    """Ask a run to stop: the worker stops between batches and records what it finished."""
    run = lock(EvaluationRun, run_id)
    if not permissions.can_contribute(by, run.project):
        raise PermissionDenied(CONTRIBUTORS_ONLY)
    if run.status not in ACTIVE_STATUSES:
        raise InvalidTransition(f"{run.ref} has already {run.get_status_display().lower()}; nothing to cancel.")
    if run.cancel_requested:
        return run
    changes = {"cancel_requested": True, "updated_at": timezone.now()}
    if run.status == RunStatus.QUEUED:
        # Nothing has started: it stops now (a late delivery of its task finds it finished).
        changes.update(status=RunStatus.CANCELLED, finished_at=timezone.now())
    EvaluationRun.objects.filter(pk=run.pk).update(version=F("version") + 1, **changes)
    for field, value in changes.items():
        setattr(run, field, value)
    run.version += 1
    audit.record(
        actor=by,
        via=via,
        action="evaluation.cancelled",
        project=run.project,
        obj=run,
        changes={"cancel_requested": [False, True]},
    )
    return run


def run_requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Queue again the runs whose task was lost (never started, or its worker died); they resume."""
    now = now or timezone.now()
    stuck = list(
        EvaluationRun.objects.filter(status=RunStatus.QUEUED, updated_at__lt=now - QUEUED_GRACE).values_list(
            "pk", flat=True
        )
    ) + list(
        EvaluationRun.objects.filter(
            status__in=[RunStatus.GENERATING, RunStatus.EXECUTING], updated_at__lt=now - ACTIVE_STALE
        ).values_list("pk", flat=True)
    )
    for run_id in stuck:
        run_queue(EvaluationRun(pk=run_id))
    return len(stuck)
