"""The in-app notification list and marking notifications read."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.services import notifications as notification_services
from assessments.views.common import browser_view, safe_next, wants_fragment

PAGE_SIZE = 30


@browser_view
def notifications(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "assessments/notifications.html", {"page": page, "unread_only": unread_only})


@require_POST
@browser_view
def notifications_mark_read(request):
    """Mark one notification (`id`) or all of the user's unread ones read."""
    raw = request.POST.get("id")
    ids = [int(raw)] if raw and raw.isdigit() else None
    notification_services.notification_mark_read(user=request.user, notification_ids=ids)
    if wants_fragment(request) and ids:
        notification = get_object_or_404(selectors.notification_list(user=request.user), pk=ids[0])
        return render(request, "assessments/notifications.html#notification", {"n": notification})
    return redirect(safe_next(request, reverse("notifications")))
