"""Mitigations: the board grouped by status with inline status change, the full list, and one mitigation's page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assessments import permissions, selectors, workflow
from assessments.errors import InvalidInput, StaleVersion
from assessments.views.common import apply_errors, browser_view, caps_for, form_status, require, wants_fragment
from assessments.views.conflicts import build_conflict
from hazards import selectors as hazard_selectors
from hazards import services
from hazards.forms import MitigationEditForm, MitigationStatusForm
from hazards.models import MitigationStatus
from hazards.services.mitigations import TRACKING_FIELDS
from hazards.views import display

BOARD_PER_STATUS = 8
LIST_PAGE_SIZE = 50
CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change mitigations."


def board_context(request, assessment, caps, **extra) -> dict:
    columns, counts = hazard_selectors.mitigation_board(
        user=request.user, assessment=assessment, per_status=BOARD_PER_STATUS
    )
    display.board_cards(columns, MitigationStatus.choices)
    return {
        "assessment": assessment,
        "caps": caps,
        "today": timezone.localdate(),
        "open_statuses": hazard_selectors.OPEN_MITIGATION_STATUSES,
        "board": [(value, label, columns[value], counts.get(value, 0)) for value, label in MitigationStatus.choices],
        "total": sum(counts.values()),
        **extra,
    }


@browser_view
def mitigation_board(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#mitigations")
    caps = caps_for(request.user, assessment.project, assessment)
    return render(request, "hazards/partials/board.html", board_context(request, assessment, caps))


@require_POST
@browser_view
def mitigation_status(request, mitigation_id: int):
    """Inline status change on the board: progress tracking, allowed until the assessment is archived."""
    mitigation = hazard_selectors.mitigation_get(user=request.user, mitigation_id=mitigation_id)
    assessment = mitigation.assessment
    require(permissions.can_contribute(request.user, assessment.project), CONTRIBUTORS_ONLY)
    form = MitigationStatusForm(request.POST)
    notice = None
    if form.is_valid():
        try:
            mitigation = services.mitigation_update(
                mitigation_id=mitigation.pk,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            )
        except StaleVersion as exc:
            events = selectors.object_history(user=request.user, object_type="mitigation", object_id=mitigation.pk)
            last = events.first()
            who = f" by {last.actor_name} at {last.created_at:%H:%M}" if last else ""
            notice = (
                f"{exc.current.ref} was changed{who} while you looked at it; it is now "
                f"“{exc.current.get_status_display()}”. Nothing was saved."
            )
        except InvalidInput as exc:
            notice = " ".join(" ".join(v) for v in exc.errors.values())
    else:
        notice = "Choose a valid status."
    if not wants_fragment(request):
        if notice:
            messages.error(request, notice)
        else:
            messages.success(request, f"{mitigation.ref} is now “{mitigation.get_status_display()}”.")
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#mitigations")
    caps = caps_for(request.user, assessment.project, assessment)
    response = render(
        request,
        "hazards/partials/board.html",
        board_context(request, assessment, caps, notice=notice, moved=mitigation.pk),
    )
    if not notice:
        response["HX-Trigger-After-Swap"] = "mitigations-saved"
    return response


@browser_view
def mitigation_list(request, assessment_id: int):
    """Every mitigation of an assessment, optionally of one status, a page at a time."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    status = request.GET.get("status", "")
    if status not in MitigationStatus.values:
        status = ""
    page = Paginator(
        hazard_selectors.mitigation_list(user=request.user, assessment=assessment, status=status), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "assessment": assessment,
        "caps": caps_for(request.user, assessment.project, assessment),
        "page": page,
        "status": status,
        "status_choices": MitigationStatus.choices,
        "today": timezone.localdate(),
    }
    return render(request, "hazards/mitigation_list.html", context)


def _edit_form(mitigation, members, data=None):
    initial = {name: getattr(mitigation, name) for name in MitigationEditForm.base_fields if name != "version"}
    initial.update(owner=mitigation.owner, version=mitigation.version)
    form = MitigationEditForm(data, initial=None if data else initial, members=members)
    if not workflow.is_editable(mitigation.assessment.status):
        # After submission only progress may change: the signed fields are shown but cannot be edited.
        for name in form.fields:
            if name not in (*TRACKING_FIELDS, "version"):
                form.fields[name].disabled = True
                form.fields[name].initial = getattr(mitigation, name)
    return form


@require_http_methods(["GET", "POST"])
@browser_view
def mitigation_detail(request, mitigation_id: int):
    mitigation = hazard_selectors.mitigation_get(user=request.user, mitigation_id=mitigation_id)
    assessment = mitigation.assessment
    caps = caps_for(request.user, assessment.project, assessment)
    members = selectors.member_users(project=assessment.project)
    form = _edit_form(mitigation, members)
    conflict = None
    status = 200
    if request.method == "POST":
        require(caps.contribute, CONTRIBUTORS_ONLY)
        form = _edit_form(mitigation, members, request.POST)
        if form.is_valid():
            changes = {name: value for name, value in form.changes().items() if not form.fields[name].disabled}
            try:
                services.mitigation_update(
                    mitigation_id=mitigation.pk,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    **changes,
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            except StaleVersion as exc:
                current = exc.current
                conflict = build_conflict(
                    user=request.user,
                    form=form,
                    exc=exc,
                    object_type="mitigation",
                    rebind=lambda data: _edit_form(current, members, data),
                )
                mitigation, form = exc.current, conflict.form
            else:
                messages.success(request, f"Saved {mitigation.ref}.")
                return redirect("mitigation_detail", mitigation.pk)
        status = 409 if conflict else form_status(request)
    context = {
        "m": mitigation,
        "assessment": assessment,
        "caps": caps,
        "form": form,
        "conflict": conflict,
        "scenarios": list(mitigation.scenarios.order_by("number")),
        "history": list(
            selectors.object_history(user=request.user, object_type="mitigation", object_id=mitigation.pk)[:20]
        ),
        "today": timezone.localdate(),
    }
    return render(request, "hazards/mitigation_detail.html", context, status=status)


@require_POST
@browser_view
def mitigation_delete(request, mitigation_id: int):
    mitigation = hazard_selectors.mitigation_get(user=request.user, mitigation_id=mitigation_id)
    require(permissions.can_contribute(request.user, mitigation.assessment.project), CONTRIBUTORS_ONLY)
    version = _int(request.POST.get("version"))
    if version is None:
        raise InvalidInput({"version": ["Reload the page and try again."]})
    services.mitigation_delete(mitigation_id=mitigation.pk, by=request.user, expected_version=version)
    messages.success(request, f"Deleted {mitigation.ref} “{mitigation.title}”.")
    return redirect(f"{reverse('assessment_detail', args=[mitigation.assessment_id])}#mitigations")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
