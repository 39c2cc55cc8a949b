"""Evaluation runs end to end: recorded with their task set, executed by the worker's code in the sandbox,
summarised, audited and announced; bad files and roles refused with nothing written."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from assessments.errors import InvalidInput, InvalidTransition
from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from evaluations import demo, sandbox, tasksets
from evaluations.models import EvaluationRun, ModelEndpoint, Sample
from evaluations.services import endpoints as endpoint_services
from evaluations.services import execution
from evaluations.services import runs as run_services
from tests.evaluations.conftest import completions_jsonl, rubric_tasks
from tests.evaluations.fake_openai import FakeOpenAI, reference_answers

pytestmark = pytest.mark.django_db(transaction=True)


def upload(project, by, data: bytes, **kwargs):
    return run_services.run_create_from_upload(
        project_id=project.pk,
        by=by,
        model_name="CodeGen-X",
        model_version="2026.10",
        suite_key="spec-rubric",
        tasks_per_level=1,
        completions=data,
        **kwargs,
    )


def test_an_uploaded_run_is_executed_summarised_audited_and_announced(project, contributor, owner, celery_eager):
    WebhookEndpoint.objects.create(
        project=project,
        url="https://hooks.example.com/x",
        secret="s" * 32,
        event_types=["evaluation.*"],
        created_by=owner,
    )
    tasks = rubric_tasks()
    run = upload(project, contributor, completions_jsonl(tasks, wrong=frozenset({tasks[0].task_id})))
    run.refresh_from_db()
    assert run.status == "completed", run.error
    assert run.ref == "E-1" and run.task_set_digest == tasksets.digest(tasks)
    assert run.sandbox["isolation"].startswith("bubblewrap")
    level_1 = run.summary["levels"][0]
    assert (level_1["samples"], level_1["passed"], level_1["outcomes"]) == (2, 1, {"wrong_answer": 1})
    assert run.summary["pass_at_1"] == pytest.approx((0.5 + 4 * 1.0) / 5)
    assert len(run.results_sha256) == 64
    events = AuditEvent.objects.filter(object_type="evaluationrun").order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["evaluation.created", "evaluation.completed"]
    assert WebhookDelivery.objects.filter(event__action="evaluation.completed").count() == 1


def test_a_bad_completions_file_is_refused_with_its_problems_and_nothing_is_written(project, contributor):
    with pytest.raises(InvalidInput) as caught:
        upload(project, contributor, b'{"task_id": "nope", "completion": "x"}\n{broken')
    assert caught.value.errors["completions"][0] == "line 1: task 'nope' is not in the suite's task set."
    assert caught.value.errors["completions"][1].startswith("line 2: not valid JSON")
    tasks = rubric_tasks()
    with pytest.raises(InvalidInput, match="no completions for 1 of the suite's 5 tasks"):
        upload(project, contributor, completions_jsonl(tasks[1:]))
    assert not EvaluationRun.objects.exists() and not Sample.objects.exists()


def test_viewers_cannot_start_runs_and_unknown_suites_are_named(project, viewer, contributor):
    with pytest.raises(PermissionDenied):
        upload(project, viewer, completions_jsonl(rubric_tasks()))
    with pytest.raises(InvalidInput, match="Choose one of: chained, spec-rubric, custom"):
        run_services.run_create_from_upload(
            project_id=project.pk, by=contributor, model_name="m", suite_key="nope", completions=b""
        )


def test_a_cancelled_queued_run_never_runs(project, contributor, monkeypatch):
    monkeypatch.setattr(run_services, "run_queue", lambda run: None)  # no broker: the run stays queued
    run = upload(project, contributor, completions_jsonl(rubric_tasks()))
    run_services.run_cancel(run_id=run.pk, by=contributor)
    assert execution.run_execute(run_id=run.pk) == "cancelled"
    assert Sample.objects.filter(run=run).exclude(outcome="").count() == 0
    with pytest.raises(InvalidTransition):
        run_services.run_cancel(run_id=run.pk, by=contributor)


def test_without_a_sandbox_the_run_fails_saying_how_to_enable_it(project, contributor, settings, monkeypatch):
    monkeypatch.setattr(run_services, "run_queue", lambda run: None)
    run = upload(project, contributor, completions_jsonl(rubric_tasks()))
    settings.HAZLOG_EVAL_SANDBOX_BWRAP = "/nonexistent/bwrap"
    assert execution.run_execute(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert "apt-get install bubblewrap" in run.error
    assert Sample.objects.filter(run=run).exclude(outcome="").count() == 0  # nothing ran outside it


def test_an_endpoint_run_asks_the_model_then_runs_its_answers(project, owner, contributor, settings, celery_eager):
    settings.HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = True
    tasks = tasksets.builtin_tasks("chained", version="1", seed=7, tasks_per_level=1)
    with FakeOpenAI(api_key="sk-fake-key", responder=reference_answers(tasks)) as server:
        endpoint = endpoint_services.endpoint_create(
            project_id=project.pk,
            by=owner,
            api_key="sk-fake-key",
            name="local",
            base_url=server.base_url,
            model="fake-coder-1",
            samples_per_task=2,
        )
        run = run_services.run_create_from_endpoint(
            project_id=project.pk,
            by=contributor,
            endpoint_id=endpoint.pk,
            suite_key="chained",
            seed=7,
            tasks_per_level=1,
        )
    run.refresh_from_db()
    assert run.status == "completed", run.error
    assert (run.model_name, run.summary["samples"]) == ("fake-coder-1", 26)
    assert run.summary["passed"] == 26
    assert "sk-fake-key" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert ModelEndpoint.objects.get().api_key_encrypted != "sk-fake-key"


def test_queries_per_batch_of_results_are_constant(project, contributor, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(run_services, "run_queue", lambda run: None)
    monkeypatch.setattr(execution, "EXECUTE_BATCH", 5)
    tasks = rubric_tasks()
    small = upload(project, contributor, completions_jsonl(tasks, samples=1))  # 5 samples: one batch
    big = upload(project, contributor, completions_jsonl(tasks, samples=4))  # 20 samples: four batches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        execution.run_execute(run_id=small.pk)
    with CaptureQueriesContext(connection) as four:
        execution.run_execute(run_id=big.pk)
    per_batch = (len(four) - len(one)) / 3
    assert per_batch <= 8, per_batch  # cancel check, read, bulk update, progress: not per sample


def test_the_recorded_demo_outcomes_are_what_the_sandbox_says():
    ready, message = sandbox.available()
    assert ready, message
    for spec in demo.DEMO_RUNS:
        tasks = tasksets.builtin_tasks(
            spec.suite_key, version=spec.version, seed=spec.seed, tasks_per_level=spec.tasks_per_level
        )
        samples = demo.completions(spec, tasks)
        live = sandbox.run_samples([(task, completion) for task, _, completion in samples])
        recorded = demo.recorded_outcomes(spec)
        mismatches = [
            key
            for (task, index, _), result in zip(samples, live, strict=True)
            if recorded[key := f"{task.task_id}#{index}"][0] != result.outcome
        ]
        assert mismatches == [], "run manage.py record_demo_evaluations"


def test_a_teams_own_suite_is_checked_on_upload_and_runs_like_the_built_in_ones(project, contributor, celery_eager):
    from evaluations.models import CustomSuite
    from evaluations.services import suites as suite_services

    task = {
        "task_id": "ours/1",
        "prompt": 'def inc(x):\n    """Return x + 1."""\n',
        "entry_point": "inc",
        "test": "def check(candidate):\n    assert candidate(1) == 2\n",
        "level": 2,
    }
    with pytest.raises(InvalidInput, match="line 2: `test` does not define check"):
        suite_services.suite_create(
            project_id=project.pk,
            by=contributor,
            name="ours",
            data=(json.dumps(task) + "\n" + json.dumps({**task, "task_id": "ours/2", "test": "x = 1\n"})).encode(),
        )
    assert not CustomSuite.objects.exists()
    suite = suite_services.suite_create(
        project_id=project.pk, by=contributor, name="ours", data=json.dumps(task).encode()
    )
    run = run_services.run_create_from_upload(
        project_id=project.pk,
        by=contributor,
        model_name="m",
        suite_key="custom",
        custom_suite_id=suite.pk,
        completions=json.dumps({"task_id": "ours/1", "completion": "    return x + 1\n"}).encode(),
    )
    run.refresh_from_db()
    assert run.status == "completed", run.error
    assert [row["level"] for row in run.summary["levels"]] == [2] and run.summary["passed"] == 1
    assert run.task_set_digest == suite.digest
