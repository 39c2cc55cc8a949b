"""Webhook pages of a project (owners): register an endpoint (its secret shown once), edit, disable or remove it,
and read its delivery log with status code, duration, attempts and next try, redelivering by hand."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import permissions, selectors, sync_selectors
from assessments.errors import InvalidInput, StaleVersion
from assessments.integration_forms import WebhookCreateForm, WebhookEditForm
from assessments.services import webhooks
from assessments.views.common import apply_errors, browser_view, form_status, require

OWNERS_ONLY = "Only project owners can manage webhooks."
LOG_SIZE = 50


def _owned_project(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    require(permissions.can_manage(request.user, project), OWNERS_ONLY)
    return project


def _owned_endpoint(request, webhook_id: int):
    endpoint = sync_selectors.webhook_get(user=request.user, pk=webhook_id)
    require(permissions.can_manage(request.user, endpoint.project), OWNERS_ONLY)
    return endpoint


@never_cache
@browser_view
def webhook_list(request, project_id: int):
    project = _owned_project(request, project_id)
    form = WebhookCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = webhooks.webhook_create(
                project_id=project.pk,
                by=request.user,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
                secret=data["secret"] or None,
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            # Rendered, not redirected: the secret is shown in this response only.
            created = {"endpoint": endpoint, "secret": secret}
            form = WebhookCreateForm()
    context = {
        "project": project,
        "form": form,
        "created": created,
        "endpoints": list(sync_selectors.webhook_list(user=request.user, project_id=project.pk)),
    }
    status = form_status(request) if request.method == "POST" and created is None else 200
    return render(request, "assessments/webhooks/list.html", context, status=status)


def _edit_form(endpoint, data=None) -> WebhookEditForm:
    initial = {
        "url": endpoint.url,
        "event_types": " ".join(endpoint.event_types),
        "description": endpoint.description,
        "active": endpoint.active,
        "version": endpoint.version,
    }
    return WebhookEditForm(data, initial=initial)


def _detail(request, endpoint, form, *, conflict=None, status=200):
    deliveries = list(
        sync_selectors.delivery_list(user=request.user, endpoint_id=endpoint.pk).order_by("-id")[:LOG_SIZE]
    )
    context = {
        "endpoint": endpoint,
        "project": endpoint.project,
        "form": form,
        "deliveries": deliveries,
        "conflict": conflict,
    }
    return render(request, "assessments/webhooks/detail.html", context, status=status)


@never_cache
@browser_view
def webhook_detail(request, webhook_id: int):
    endpoint = _owned_endpoint(request, webhook_id)
    if request.method != "POST":
        return _detail(request, endpoint, _edit_form(endpoint))
    form = _edit_form(endpoint, request.POST)
    if form.is_valid():
        changes = form.changes()
        if not changes.get("secret"):
            changes.pop("secret", None)
        try:
            webhooks.webhook_update(
                webhook_id=endpoint.pk, by=request.user, expected_version=form.cleaned_data["version"], **changes
            )
        except StaleVersion as exc:
            current = exc.current
            return _detail(request, current, _edit_form(current), conflict=current, status=form_status(request))
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("webhook_detail", endpoint.pk)
    return _detail(request, endpoint, form, status=form_status(request))


@require_POST
@browser_view
def webhook_toggle(request, webhook_id: int):
    endpoint = _owned_endpoint(request, webhook_id)
    webhooks.webhook_update(webhook_id=endpoint.pk, by=request.user, expected_version=None, active=not endpoint.active)
    messages.success(request, "Webhook enabled." if not endpoint.active else "Webhook disabled: nothing is sent to it.")
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@browser_view
def webhook_delete(request, webhook_id: int):
    endpoint = _owned_endpoint(request, webhook_id)
    webhooks.webhook_delete(webhook_id=endpoint.pk, by=request.user, expected_version=None)
    messages.success(request, f"Webhook to {endpoint.url} removed, with its delivery log.")
    return redirect("webhook_list", endpoint.project_id)


@require_POST
@browser_view
def delivery_redeliver(request, delivery_id: int):
    delivery = sync_selectors.delivery_get(user=request.user, pk=delivery_id)
    require(permissions.can_manage(request.user, delivery.endpoint.project), OWNERS_ONLY)
    webhooks.webhook_redeliver(delivery_id=delivery.pk, by=request.user)
    messages.success(request, f"Delivery {delivery.pk} ({delivery.event.action}) queued again.")
    return redirect("webhook_detail", delivery.endpoint_id)
