"""Creating the demo's completed evaluation runs (source "demo": labelled as such in every view)."""

from django.db import transaction
from django.utils import timezone

from assessments import audit
from assessments.models import Project, Via
from evaluations import demo, results, security_scan, tasksets
from evaluations.models import EvaluationRun, RunSource, RunStatus, Sample
from evaluations.services.runs import _next_number


@transaction.atomic
def demo_run_create(*, project: Project, by, spec: demo.DemoRun) -> EvaluationRun:
    tasks = tasksets.builtin_tasks(
        spec.suite_key, version=spec.version, seed=spec.seed, tasks_per_level=spec.tasks_per_level
    )
    samples = demo.completions(spec, tasks)
    recorded = demo.recorded_outcomes(spec)
    now = timezone.now()
    run = EvaluationRun.objects.create(
        project=project,
        number=_next_number(project),
        model_name=demo.DEMO_MODEL,
        model_version=demo.DEMO_VERSION,
        suite_key=spec.suite_key,
        suite_version=spec.version,
        seed=spec.seed,
        tasks_per_level=spec.tasks_per_level,
        task_set_digest=tasksets.digest(tasks),
        source=RunSource.DEMO,
        samples_per_task=spec.samples_per_task,
        status=RunStatus.COMPLETED,
        progress_done=len(samples),
        progress_total=len(samples),
        sandbox={"isolation": "recorded in bubblewrap (demo data)"},
        created_by=by,
        started_at=now,
        finished_at=now,
    )
    findings = security_scan.scan_many([task.prompt + completion for task, _, completion in samples])
    rows = []
    for (task, index, completion), found in zip(samples, findings, strict=True):
        outcome, detail, duration_ms = recorded[f"{task.task_id}#{index}"]
        rows.append(
            Sample(
                run=run,
                task_id=task.task_id,
                level=task.level,
                index=index,
                completion=completion,
                outcome=outcome,
                detail=detail,
                duration_ms=duration_ms,
                findings=[f.as_dict() for f in found],
                finding_count=len(found),
            )
        )
    Sample.objects.bulk_create(rows, batch_size=500)
    values = [
        {
            "task_id": r.task_id,
            "level": r.level,
            "index": r.index,
            "completion": r.completion,
            "outcome": r.outcome,
            "findings": r.findings,
        }
        for r in rows
    ]
    EvaluationRun.objects.filter(pk=run.pk).update(
        summary=results.summarise(values, scale=tasksets.scale_of(run)), results_sha256=results.results_digest(values)
    )
    run.refresh_from_db()
    audit.record(
        actor=by,
        via=Via.CLI,
        action="evaluation.completed",
        project=project,
        obj=run,
        changes={"status": [None, run.status], "source": [None, run.source]},
    )
    return run
