"""Teams' own suites in the browser: upload a HumanEval JSONL, see its tasks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from assessments import permissions
from assessments import selectors as project_selectors
from assessments.errors import InvalidInput
from assessments.views.common import apply_errors, browser_view, form_status, require
from evaluations import selectors, tasksets
from evaluations.forms import SuiteUploadForm
from evaluations.services import suites as suite_services


@browser_view
def suite_new(request, project_id: int):
    project = project_selectors.project_get(user=request.user, project_id=project_id)
    require(permissions.can_contribute(request.user, project), suite_services.CONTRIBUTORS_ONLY)
    form = SuiteUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suite = suite_services.suite_create(
                project_id=project.pk,
                by=request.user,
                name=data["name"],
                description=data["description"],
                data=data["tasks"].read(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Suite “{suite.name}” added with {suite.task_count} tasks.")
            return redirect("evaluation_suite", suite.pk)
    status = form_status(request) if request.method == "POST" else 200
    return render(request, "evaluations/suite_new.html", {"project": project, "form": form}, status=status)


@browser_view
@require_GET
def suite_detail(request, suite_id: int):
    suite = selectors.custom_suite_get(user=request.user, suite_id=suite_id)
    context = {"suite": suite, "project": suite.project, "tasks": tasksets.custom_tasks(suite)}
    return render(request, "evaluations/suite_detail.html", context)
