"""Evidence files and links in the browser: the section on scenario and mitigation pages and its actions.

The section renders itself (templatetags/attachments.py calls `section_context`), so the pages only include
it. With htmx each action answers with the fresh section (errors shown inside it, status 200); without
JavaScript it redirects back to the section with a message. Removing asks for confirmation: htmx asks in a
dialog and sends confirm=yes, a plain form gets a confirmation page first.
"""

from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments import permissions
from assessments.errors import InvalidInput, StorageUnavailable
from assessments.views.common import apply_errors, browser_view, caps_for, require, wants_fragment
from hazards import selectors as hazard_selectors
from hazards import services
from hazards.attachments import downloads, limits
from hazards.attachments import selectors as attachment_selectors
from hazards.attachments.forms import AttachmentLinkForm, AttachmentUploadForm
from hazards.models import HazardScenario

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change evidence."


def _page_url(target) -> str:
    name = "hazard_detail" if isinstance(target, HazardScenario) else "mitigation_detail"
    return f"{reverse(name, args=[target.pk])}#attachments"


def _target(request, hazard_id: int | None, mitigation_id: int | None, *, change: bool):
    """The scenario or mitigation (404 outside the user's projects; 403 below contributor when changing)."""
    if hazard_id is not None:
        target = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    else:
        target = hazard_selectors.mitigation_get(user=request.user, mitigation_id=mitigation_id)
    if change:
        require(permissions.can_contribute(request.user, target.assessment.project), CONTRIBUTORS_ONLY)
    return target


def _target_ids(target) -> dict:
    return {"hazard_id": target.pk} if isinstance(target, HazardScenario) else {"mitigation_id": target.pk}


def section_context(
    request, target, *, upload_form=None, link_form=None, notice: str = "", upload_error: str = ""
) -> dict:
    assessment = target.assessment
    is_scenario = isinstance(target, HazardScenario)
    kind = "hazard" if is_scenario else "mitigation"
    return {
        "target": target,
        "attachments": attachment_selectors.attachments_of(
            user=request.user, **({"scenario": target} if is_scenario else {"mitigation": target})
        ),
        "can_change": caps_for(request.user, assessment.project, assessment).edit_content,
        "upload_form": upload_form or AttachmentUploadForm(auto_id="at_%s"),
        "link_form": link_form or AttachmentLinkForm(auto_id="al_%s"),
        "upload_url": reverse(f"{kind}_attachment_upload", args=[target.pk]),
        "link_url": reverse(f"{kind}_attachment_link", args=[target.pk]),
        "notice": notice,
        "upload_error": upload_error,
        "request": request,
        "csrf_token": get_token(request),  # the section is also rendered by an inclusion tag
    }


def _section(request, target, **kwargs):
    return render(request, "hazards/partials/attachments.html", section_context(request, target, **kwargs))


def _done(request, target, message: str):
    if wants_fragment(request):
        return _section(request, target, notice=message)
    messages.success(request, message)
    return redirect(_page_url(target))


def _failed(request, target, form, key: str):
    if wants_fragment(request):
        return _section(request, target, **{key: form})
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_page_url(target))


@require_POST
@browser_view
def attachment_upload(request, hazard_id: int | None = None, mitigation_id: int | None = None):
    target = _target(request, hazard_id, mitigation_id, change=True)
    too_large = limits.declared_too_large(request)
    if too_large:
        if wants_fragment(request):
            return _section(request, target, upload_error=too_large)
        messages.error(request, too_large)
        return redirect(_page_url(target))
    form = AttachmentUploadForm(request.POST, request.FILES, auto_id="at_%s")
    if form.is_valid():
        try:
            attachment = services.attachment_upload(
                by=request.user, upload=form.cleaned_data["file"], **_target_ids(target)
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except StorageUnavailable as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, target, f"{attachment.name} kept as evidence ({limits.size_label(attachment.size)}).")
    return _failed(request, target, form, "upload_form")


@require_POST
@browser_view
def attachment_link(request, hazard_id: int | None = None, mitigation_id: int | None = None):
    target = _target(request, hazard_id, mitigation_id, change=True)
    form = AttachmentLinkForm(request.POST, auto_id="al_%s")
    if form.is_valid():
        try:
            attachment = services.attachment_link(
                by=request.user, url=form.cleaned_data["url"], title=form.cleaned_data["title"], **_target_ids(target)
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, target, f"Link “{attachment.name}” added as evidence.")
    return _failed(request, target, form, "link_form")


@require_POST
@browser_view
def attachment_remove(request, attachment_id: int):
    attachment = attachment_selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    target = attachment.scenario or attachment.mitigation
    require(permissions.can_contribute(request.user, attachment.assessment.project), CONTRIBUTORS_ONLY)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "hazards/attachment_remove.html",
            {"attachment": attachment, "target": target, "back": _page_url(target)},
        )
    services.attachment_delete(attachment_id=attachment.pk, by=request.user, expected_version=None)
    return _done(request, target, f"{attachment.name} removed from the evidence.")


@require_GET
@browser_view
def attachment_download(request, attachment_id: int):
    attachment = attachment_selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    return downloads.file_response(attachment)
