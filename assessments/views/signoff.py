"""Review and sign-off in the browser: the status panel, one view per transition, snapshot verification."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from assessments import selectors, verification, workflow
from assessments.errors import InvalidInput, StaleVersion
from assessments.forms import ApproveForm, RequestChangesForm, TransitionForm
from assessments.models import Snapshot, Status
from assessments.services import workflow as workflow_services
from assessments.views.common import apply_errors, browser_view, caps_for, wants_fragment


def status_context(request, assessment) -> dict:
    """The status panel: allowed transitions with reasons, approvals (outdated ones marked), revisions."""
    has_approvals = assessment.approvals.exists()
    # The live hash (a build of the whole snapshot) judges the approvals and whether approving is possible;
    # it is built once, and only when one of them is on the panel.
    live = None
    if has_approvals or assessment.status in workflow.TRANSITIONS[workflow.APPROVE].sources:
        live = verification.live_hash(assessment)
    options = workflow_services.transition_options(user=request.user, assessment=assessment, live=live)
    approvals = verification.approval_states(assessment, live=live) if has_approvals else []
    return {
        "assessment": assessment,
        "options": options,
        "approvals": approvals,
        "counting_approvers": verification.counting_approvers(approvals),
        "revisions": list(selectors.assessment_revisions(user=request.user, assessment=assessment)),
        "request_changes_form": RequestChangesForm(initial={"version": assessment.version}, auto_id="rc_%s"),
        "approve_form": ApproveForm(initial={"seen_hash": assessment.content_hash}, auto_id="ap_%s"),
        "transition_form_version": assessment.version,
        "submit_warnings": workflow_services.submit_warnings(assessment)
        if assessment.status in workflow.TRANSITIONS[workflow.SUBMIT].sources
        else [],
    }


@browser_view
def status_panel(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        return redirect("assessment_detail", assessment.pk)
    context = {**status_context(request, assessment), "caps": caps_for(request.user, assessment.project, assessment)}
    return render(request, "assessments/partials/status_panel.html", context)


def _transition_page(request, assessment, name: str, form, status: int = 200):
    """A transition's own page: its form (with errors) for use without JavaScript or after a refusal."""
    transition = workflow.TRANSITIONS[name]
    options = {o.name: o for o in workflow_services.transition_options(user=request.user, assessment=assessment)}
    context = {
        "assessment": assessment,
        "transition": transition,
        "option": options.get(name),
        "form": form,
        "name": name,
        "warnings": workflow_services.submit_warnings(assessment) if name == workflow.SUBMIT else [],
    }
    return render(request, "assessments/transition.html", context, status=status)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_submit(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = TransitionForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        workflow_services.assessment_submit(
            assessment_id=assessment.pk, by=request.user, expected_version=form.cleaned_data["version"]
        )
        messages.success(request, "Submitted for review. Reviewers and approvers have been notified.")
        return redirect("assessment_detail", assessment.pk)
    return _transition_page(request, assessment, workflow.SUBMIT, form, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_request_changes(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = RequestChangesForm(request.POST or None, initial={"version": assessment.version}, auto_id="rc_%s")
    if request.method == "POST" and form.is_valid():
        try:
            workflow_services.assessment_request_changes(
                assessment_id=assessment.pk,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except StaleVersion as exc:
            form = RequestChangesForm(
                {"comment": form.cleaned_data["comment"], "version": exc.current.version}, auto_id="rc_%s"
            )
            form.is_valid()
            form.add_error(
                None, "The assessment changed since you opened it. Your comment is kept: check, then send it."
            )
        else:
            messages.success(request, "Changes requested. The contributors have been notified.")
            return redirect("assessment_detail", assessment.pk)
    status = 400 if request.method == "POST" else 200
    return _transition_page(request, assessment, workflow.REQUEST_CHANGES, form, status=status)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_approve(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = ApproveForm(request.POST or None, initial={"seen_hash": assessment.content_hash}, auto_id="ap_%s")
    if request.method == "POST" and form.is_valid():
        approved = workflow_services.assessment_approve(
            assessment_id=assessment.pk,
            by=request.user,
            comment=form.cleaned_data["comment"],
            seen_hash=form.cleaned_data["seen_hash"],
        )
        if approved.status == Status.APPROVED:
            messages.success(request, f"Approved. Revision {approved.revision} is now signed off and frozen.")
        else:
            messages.success(request, "Your approval is recorded; more approvals are needed.")
        return redirect("assessment_detail", assessment.pk)
    status = 400 if request.method == "POST" else 200
    return _transition_page(request, assessment, workflow.APPROVE, form, status=status)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_start_revision(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = TransitionForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST":
        revision = workflow_services.assessment_start_revision(assessment_id=assessment.pk, by=request.user)
        messages.success(
            request, f"Revision {revision.revision} started as a draft copy of revision {assessment.revision}."
        )
        return redirect("assessment_detail", revision.pk)
    return _transition_page(request, assessment, workflow.START_REVISION, form)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_archive(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = TransitionForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        workflow_services.assessment_archive(
            assessment_id=assessment.pk, by=request.user, expected_version=form.cleaned_data["version"]
        )
        messages.success(request, f"Revision {assessment.revision} is archived.")
        return redirect("assessment_detail", assessment.pk)
    status = 400 if request.method == "POST" else 200
    return _transition_page(request, assessment, workflow.ARCHIVE, form, status=status)


# --- Snapshots ---------------------------------------------------------------------------------------


@browser_view
def snapshot_verify(request, assessment_id: int):
    """Recompute every stored snapshot's SHA-256, and compare the live content with what was signed."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    result = verification.assessment_verify(assessment)
    snapshots = [
        (stored, verification.snapshot_verify(stored, live=result.live_sha256))
        for stored in assessment.snapshots.select_related("created_by").order_by("-created_at", "-id")
    ]
    context = {"assessment": assessment, "result": result, "snapshots": snapshots}
    return render(request, "assessments/verify.html", context)


@browser_view
def snapshot_download(request, assessment_id: int, snapshot_id: int):
    """The exact canonical bytes that were hashed, for anyone who wants to check the hash themselves."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    stored = get_object_or_404(Snapshot, pk=snapshot_id, assessment=assessment)
    response = HttpResponse(stored.canonical.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="assessment-{assessment.pk}-rev{assessment.revision}-{stored.sha256[:12]}.json"'
    )
    return response
