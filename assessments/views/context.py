"""The assessment header: its context (model, channel, users, domain) and dates, edited in place."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessments import permissions, selectors, services, workflow
from assessments.errors import InvalidInput, StaleVersion
from assessments.forms import AssessmentContextForm, AssessmentDatesForm
from assessments.views.common import apply_errors, browser_view, caps_for, form_status, require, wants_fragment
from assessments.views.conflicts import build_conflict


def _form_class(assessment):
    # Context is signed content; the planning dates are not and stay editable while the revision is in force.
    return AssessmentContextForm if workflow.is_editable(assessment.status) else AssessmentDatesForm


def header_context(request, assessment, **extra) -> dict:
    return {"assessment": assessment, "caps": caps_for(request.user, assessment.project, assessment), **extra}


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_context_edit(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    require(permissions.can_contribute(request.user, assessment.project), "Only contributors and above can edit.")
    form_class = _form_class(assessment)
    fields = [name for name in form_class.base_fields if name != "version"]
    if request.method == "GET":
        workflow.ensure_trackable(assessment)  # a superseded or archived revision has nothing left to edit
        form = form_class(initial={**{f: getattr(assessment, f) for f in fields}, "version": assessment.version})
        template = "assessments/partials/assessment_header.html#edit" if wants_fragment(request) else None
        return _render(request, assessment, form, template=template)
    form = form_class(request.POST)
    conflict = None
    if form.is_valid():
        try:
            updated = services.assessment_update(
                assessment_id=assessment.pk,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except StaleVersion as exc:
            conflict = build_conflict(
                user=request.user, form=form, exc=exc, object_type="assessment", rebind=lambda data: form_class(data)
            )
            assessment, form = exc.current, conflict.form
        else:
            if not wants_fragment(request):
                messages.success(request, "Assessment details saved.")
                return redirect("assessment_detail", updated.pk)
            updated = selectors.assessment_get(user=request.user, assessment_id=updated.pk)
            return render(request, "assessments/partials/assessment_header.html", header_context(request, updated))
    template = "assessments/partials/assessment_header.html#edit" if wants_fragment(request) else None
    return _render(request, assessment, form, template=template, conflict=conflict, status=form_status(request))


def _render(request, assessment, form, *, template=None, conflict=None, status=200):
    context = header_context(request, assessment, form=form, conflict=conflict)
    return render(request, template or "assessments/assessment_context_edit.html", context, status=status)


@browser_view
def assessment_header(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        return redirect(reverse("assessment_detail", args=[assessment.pk]))
    return render(request, "assessments/partials/assessment_header.html", header_context(request, assessment))
