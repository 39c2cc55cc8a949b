"""The assessment workspace page, and the cheap "changed since" check other browsers poll to catch up."""

from django.http import HttpResponse
from django.shortcuts import render

from assessments import selectors
from assessments.views.activity import activity_context
from assessments.views.common import browser_view, caps_for
from assessments.views.signoff import status_context
from hazards.views.comments import comments_context
from hazards.views.heatmap import heatmap_html
from hazards.views.register import register_html

POLL_SECONDS = 5


@browser_view
def assessment_detail(request, assessment_id: int):
    """The whole workspace; each region is also its own htmx fragment URL (register, heat map, board…).
    The mitigations board, below the fold, loads itself once the page is shown."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    caps = caps_for(request.user, assessment.project, assessment)
    activity = activity_context(request, assessment)
    context = {
        **comments_context(request, assessment),
        **activity,
        **status_context(request, assessment),
        "assessment": assessment,
        "heatmap_html": heatmap_html(request, assessment),
        "register_html": register_html(request, assessment, caps),
        "caps": caps,
        "last_event": _latest_event(assessment, activity),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "hazards/assessment_detail.html", context)


def _latest_event(assessment, activity: dict) -> int:
    """The newest event id the poller starts from. The activity feed's first event is it (a member sees every
    event of the assessment), unless the feed was asked for older events."""
    if activity["appending"]:
        return selectors.latest_event_id(assessment=assessment)
    return activity["events"][0].pk if activity["events"] else 0


@browser_view
def assessment_changes(request, assessment_id: int):
    """204 while nothing changed since `since` (an audit event id); otherwise a fresh poller element and
    the events that make every region of the page refresh itself."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    latest = selectors.latest_event_id(assessment=assessment)
    since = request.GET.get("since", "")
    if since.isdigit() and int(since) >= latest:
        return HttpResponse(status=204)
    response = render(
        request,
        "hazards/partials/poller.html",
        {"assessment": assessment, "last_event": latest, "poll_seconds": POLL_SECONDS},
    )
    response["HX-Trigger"] = "hazards-changed, mitigations-changed, assessment-changed"
    return response
