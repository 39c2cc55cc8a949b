"""Evaluation runs in the browser: the project's runs, a new run, a run's results, progress and tasks."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments import permissions
from assessments import selectors as project_selectors
from assessments.errors import InvalidInput
from assessments.views.common import apply_errors, browser_view, caps_for, form_status, require, wants_fragment
from evaluations import presentation, sandbox, selectors, tasksets
from evaluations.forms import RunForm
from evaluations.models import RunSource
from evaluations.services import runs as run_services
from evaluations.suites import BUILTIN_SUITES

CONTRIBUTORS_ONLY = run_services.CONTRIBUTORS_ONLY


@browser_view
@require_GET
def run_list(request, project_id: int):
    project = project_selectors.project_get(user=request.user, project_id=project_id)
    ready, sandbox_message = sandbox.available()
    context = {
        "project": project,
        "caps": caps_for(request.user, project),
        "runs": list(selectors.run_list(user=request.user, project=project)),
        "endpoints": list(selectors.endpoint_list(user=request.user, project=project)),
        "custom_suites": list(selectors.custom_suite_list(user=request.user, project=project)),
        "suites": list(BUILTIN_SUITES.values()),
        "sandbox_ready": ready,
        "sandbox_message": sandbox_message,
    }
    return render(request, "evaluations/run_list.html", context)


@browser_view
def run_new(request, project_id: int):
    project = project_selectors.project_get(user=request.user, project_id=project_id)
    require(permissions.can_contribute(request.user, project), CONTRIBUTORS_ONLY)
    endpoints = list(selectors.endpoint_list(user=request.user, project=project))
    custom_suites = list(selectors.custom_suite_list(user=request.user, project=project))
    form = RunForm(request.POST or None, request.FILES or None, endpoints=endpoints, custom_suites=custom_suites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        suite = {
            "suite_key": data["suite"],
            "suite_version": data["suite_version"] or None,
            "seed": data["seed"],
            "tasks_per_level": data["tasks_per_level"],
            "custom_suite_id": data["custom_suite"],
        }
        try:
            if data["source"] == RunSource.UPLOAD:
                run = run_services.run_create_from_upload(
                    project_id=project.pk,
                    by=request.user,
                    model_name=data["model_name"],
                    model_version=data["model_version"],
                    completions=data["completions"].read(),
                    **suite,
                )
            else:
                run = run_services.run_create_from_endpoint(
                    project_id=project.pk,
                    by=request.user,
                    endpoint_id=data["endpoint"],
                    model_version=data["model_version"],
                    **suite,
                )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{run.ref} is queued; this page follows its progress.")
            return redirect("evaluation_run", run.pk)
    ready, sandbox_message = sandbox.available()
    status = form_status(request) if request.method == "POST" else 200
    context = {
        "project": project,
        "form": form,
        "suites": list(BUILTIN_SUITES.values()),
        "sandbox_ready": ready,
        "sandbox_message": sandbox_message,
    }
    return render(request, "evaluations/run_new.html", context, status=status)


def _run_context(request, run) -> dict:
    summary = run.summary or {}
    return {
        "run": run,
        "project": run.project,
        "caps": caps_for(request.user, run.project),
        "summary": summary,
        "chart": presentation.run_chart(run) if summary.get("levels") else "",
        "failure_headers": presentation.failure_headers(),
        "failure_rows": presentation.failure_rows(summary),
        "progress_pct": round(100 * run.progress_done / run.progress_total) if run.progress_total else 0,
    }


@browser_view
@require_GET
def run_detail(request, run_id: int):
    run = selectors.run_get(user=request.user, run_id=run_id)
    context = _run_context(request, run)
    if wants_fragment(request) and request.GET.get("part") == "status":
        response = render(request, "evaluations/run_detail.html#status", context)
        if not run.is_active:
            # The results appear once: the status fragment asks the page to reload itself in full.
            response["HX-Refresh"] = "true"
        return response
    context["tasks"] = selectors.task_results(run=run)
    context["citations"] = list(run.citations.select_related("scenario__assessment").order_by("pk"))
    return render(request, "evaluations/run_detail.html", context)


@browser_view
@require_POST
def run_cancel(request, run_id: int):
    run = selectors.run_get(user=request.user, run_id=run_id)
    require(permissions.can_contribute(request.user, run.project), CONTRIBUTORS_ONLY)
    run_services.run_cancel(run_id=run.pk, by=request.user)
    messages.success(request, f"{run.ref} will stop after the batch it is running.")
    return redirect("evaluation_run", run.pk)


@browser_view
@require_GET
def run_task(request, run_id: int, task_id: str):
    run = selectors.run_get(user=request.user, run_id=run_id)
    task = next((t for t in tasksets.tasks_for_run(run) if t.task_id == task_id), None)
    samples = list(selectors.sample_list(run=run, task_id=task_id))
    if task is None and not samples:
        raise Http404("No such task in this run.")
    context = {
        "run": run,
        "project": run.project,
        "task": task,
        "samples": samples,
        "outcome_labels": presentation.OUTCOME_LABELS,
    }
    return render(request, "evaluations/run_task.html", context)


@browser_view
@require_GET
def suite_prompts(request, project_id: int):
    """The prompts of a task set as JSONL, for teams that generate completions with their own harness."""
    project = project_selectors.project_get(user=request.user, project_id=project_id)
    try:
        task_set = run_services.resolve_task_set(
            project=project,
            suite_key=request.GET.get("suite", ""),
            suite_version=request.GET.get("version") or None,
            seed=_int(request.GET.get("seed"), 0),
            tasks_per_level=_int(request.GET.get("tasks_per_level"), None),
            custom_suite_id=_int(request.GET.get("custom_suite"), None),
        )
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    lines = [
        json.dumps({"task_id": t.task_id, "level": t.level, "prompt": t.prompt, "entry_point": t.entry_point})
        for t in task_set["tasks"]
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="application/jsonl; charset=utf-8")
    name = f"{task_set['suite_key']}-v{task_set['suite_version']}-seed{task_set['seed']}-prompts.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _int(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return value  # the service names the field and the problem
