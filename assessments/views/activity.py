"""The activity feed of an assessment, from its audit events: who changed what, before → after."""

from django.shortcuts import redirect, render
from django.urls import reverse

from assessments import selectors
from assessments.views.common import browser_view, wants_fragment

FEED_SIZE = 20


def activity_context(request, assessment) -> dict:
    events = selectors.event_list(user=request.user, assessment=assessment)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    page = list(events[: FEED_SIZE + 1])
    return {
        "assessment": assessment,
        "events": page[:FEED_SIZE],
        "older": page[FEED_SIZE - 1].pk if len(page) > FEED_SIZE else None,
        "appending": bool(before),
    }


@browser_view
def activity(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        if request.GET.get("before"):
            return render(request, "assessments/activity.html", activity_context(request, assessment))
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#activity")
    context = activity_context(request, assessment)
    template = (
        "assessments/partials/activity.html#items" if context["appending"] else "assessments/partials/activity.html"
    )
    return render(request, template, context)
