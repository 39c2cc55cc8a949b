"""Comments on an assessment and on its scenarios; @mentions notify (the comment service does that)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from assessments import permissions, selectors
from assessments.errors import InvalidInput
from assessments.views.common import apply_errors, browser_view, form_status, wants_fragment
from hazards import selectors as hazard_selectors
from hazards import services
from hazards.forms import CommentForm

COMMENTS_SHOWN = 50


def comments_context(request, assessment, *, scenario=None, form=None) -> dict:
    comments = hazard_selectors.comment_list(user=request.user, assessment=assessment, scenario=scenario)
    total = comments.count()
    return {
        "assessment": assessment,
        "scenario": scenario,
        "comments": list(comments[max(0, total - COMMENTS_SHOWN) :]) if total else [],
        "hidden_count": max(0, total - COMMENTS_SHOWN),
        "can_comment": permissions.can_comment(request.user, assessment.project),
        "comment_form": form or CommentForm(auto_id="comment_%s"),
        "post_url": reverse("hazard_comments", args=[scenario.pk])
        if scenario
        else reverse("assessment_comments", args=[assessment.pk]),
    }


def _handle(request, assessment, scenario):
    if request.method == "GET":
        if not wants_fragment(request):
            target = (
                reverse("hazard_detail", args=[scenario.pk])
                if scenario
                else reverse("assessment_detail", args=[assessment.pk])
            )
            return redirect(f"{target}#comments")
        return render(
            request, "hazards/partials/comments.html", comments_context(request, assessment, scenario=scenario)
        )
    if not permissions.can_comment(request.user, assessment.project):
        raise PermissionDenied("Viewers can read comments but not write them.")
    form = CommentForm(request.POST, auto_id="comment_%s")
    if form.is_valid():
        try:
            comment = services.comment_create(
                assessment_id=assessment.pk,
                by=request.user,
                body=form.cleaned_data["body"],
                hazard_id=scenario.pk if scenario else None,
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            if not wants_fragment(request):
                messages.success(request, "Comment posted.")
                target = (
                    reverse("hazard_detail", args=[scenario.pk])
                    if scenario
                    else reverse("assessment_detail", args=[assessment.pk])
                )
                return redirect(f"{target}#comment-{comment.pk}")
            context = comments_context(request, assessment, scenario=scenario)
            context["posted"] = comment.pk
            return render(request, "hazards/partials/comments.html", context)
    context = comments_context(request, assessment, scenario=scenario, form=form)
    if wants_fragment(request):
        return render(request, "hazards/partials/comments.html", context)
    return render(request, "hazards/comment_page.html", context, status=form_status(request))


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_comments(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    return _handle(request, assessment, None)


@require_POST
@browser_view
def hazard_comments(request, hazard_id: int):
    scenario = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    return _handle(request, scenario.assessment, scenario)
