"""Model endpoints in the browser: owners add, edit and remove them; the key field is write-only."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments import permissions
from assessments import selectors as project_selectors
from assessments.errors import InvalidInput, StaleVersion
from assessments.views.common import apply_errors, browser_view, form_status, require
from evaluations import selectors
from evaluations.forms import EndpointForm
from evaluations.services import endpoints as endpoint_services

FIELDS = endpoint_services.FIELDS


@browser_view
def endpoint_new(request, project_id: int):
    project = project_selectors.project_get(user=request.user, project_id=project_id)
    require(permissions.can_manage(request.user, project), endpoint_services.OWNERS_ONLY)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = endpoint_services.endpoint_create(
                project_id=project.pk, by=request.user, api_key=data["api_key"], **{f: data[f] for f in FIELDS}
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Endpoint “{endpoint.name}” saved; its key is stored encrypted.")
            return redirect("evaluation_runs", project.pk)
    status = form_status(request) if request.method == "POST" else 200
    return render(request, "evaluations/endpoint_form.html", {"project": project, "form": form}, status=status)


@browser_view
def endpoint_edit(request, endpoint_id: int):
    endpoint = selectors.endpoint_get(user=request.user, endpoint_id=endpoint_id)
    require(permissions.can_manage(request.user, endpoint.project), endpoint_services.OWNERS_ONLY)
    initial = {f: getattr(endpoint, f) for f in FIELDS} | {"version": endpoint.version}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint_services.endpoint_update(
                endpoint_id=endpoint.pk,
                by=request.user,
                expected_version=data["version"],
                api_key=data["api_key"],
                **{f: data[f] for f in FIELDS},
            )
        except (InvalidInput, StaleVersion) as exc:
            if isinstance(exc, StaleVersion):
                form.add_error(None, exc.message + " Reload to see the current values.")
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, f"Endpoint “{data['name']}” saved.")
            return redirect("evaluation_runs", endpoint.project_id)
    status = form_status(request) if request.method == "POST" else 200
    context = {"project": endpoint.project, "endpoint": endpoint, "form": form}
    return render(request, "evaluations/endpoint_form.html", context, status=status)


@browser_view
@require_POST
def endpoint_delete(request, endpoint_id: int):
    endpoint = selectors.endpoint_get(user=request.user, endpoint_id=endpoint_id)
    require(permissions.can_manage(request.user, endpoint.project), endpoint_services.OWNERS_ONLY)
    version = request.POST.get("version")
    endpoint_services.endpoint_delete(
        endpoint_id=endpoint.pk,
        by=request.user,
        expected_version=int(version) if version and version.isdigit() else None,
    )
    messages.success(request, f"Endpoint “{endpoint.name}” removed; runs made through it keep their results.")
    return redirect("evaluation_runs", endpoint.project_id)
