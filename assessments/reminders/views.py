"""Browser pages for reminders: one day's digest, and the profile page where digest e-mails are turned off."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments.reminders import digests, selectors
from assessments.views.common import browser_view


@browser_view
def digest_detail(request, date: str):
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise Http404("No reminders for that day.") from None
    digest = selectors.digest_get(user=request.user, date=day)
    context = {
        "digest": digest,
        "groups": selectors.digest_groups(digest),
        "recent": selectors.digest_recent(user=request.user),
    }
    return render(request, "assessments/reminders/digest.html", context)


@require_http_methods(["GET", "POST"])
@browser_view
def profile(request):
    if request.method == "POST":
        enabled = request.POST.get("email_digests") == "on"
        digests.profile_set_email_digests(user=request.user, enabled=enabled)
        messages.success(
            request,
            "You will get the daily reminder digest by e-mail."
            if enabled
            else "Digest e-mails are off; your reminders stay on the notifications page.",
        )
        return redirect("profile")
    context = {
        "email_digests": selectors.email_digests_enabled(user=request.user),
        "recent": selectors.digest_recent(user=request.user),
    }
    return render(request, "assessments/reminders/profile.html", context)
