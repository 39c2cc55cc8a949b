"""My work: the signed-in user's mitigations, reviews waiting for them, notifications and recent activity;
and where a sign-in lands: managers on the portfolio, everyone else on My work."""

from django.shortcuts import redirect, render
from django.utils import timezone

from assessments import selectors
from assessments.views.common import browser_view
from hazards import selectors as hazard_selectors


@browser_view
def landing(request):
    return redirect("portfolio" if selectors.is_manager(user=request.user) else "home")


@browser_view
def home(request):
    user = request.user
    context = {
        "today": timezone.localdate(),
        "mitigations": hazard_selectors.mitigations_assigned(user=user),
        "reviews": list(selectors.reviews_waiting(user=user)),
        "acceptance_reviews": list(hazard_selectors.acceptance_review_list(user=user)[:25]),
        "notifications": list(selectors.notification_list(user=user)[:8]),
        "activity": selectors.recent_activity(user=user),
    }
    return render(request, "hazards/home.html", context)
