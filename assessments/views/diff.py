"""What changed between two revisions of an assessment, as a page and as JSON (same URL, ?format=json)."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from assessments import diff, selectors
from assessments.views.common import browser_view
from hazards import scoring


@browser_view
def assessment_diff(request, assessment_id: int):
    """Compare this revision with `?against=<id>` (another revision of it; by default the previous one).

    The older revision is always the "from" side, whichever of the two the URL names first.
    """
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    revisions = list(selectors.assessment_revisions(user=request.user, assessment=assessment))
    by_id = {revision.pk: revision for revision in revisions}
    raw = request.GET.get("against", "")
    if raw:
        other = by_id.get(int(raw)) if raw.isdigit() else None
        if other is None or other.pk == assessment.pk:
            # Not a revision of this assessment (or not visible): nothing to compare, and no id leaks.
            raise Http404("No such revision of this assessment.")
    else:
        older = [revision for revision in revisions if revision.revision < assessment.revision]
        newer = [revision for revision in revisions if revision.revision > assessment.revision]
        other = (older[0] if older else None) or (newer[-1] if newer else None)
    context = {"assessment": assessment, "revisions": revisions, "other": other}
    if other is None:
        if request.GET.get("format") == "json":
            raise Http404("This assessment has only one revision.")
        return render(request, "assessments/diff.html", context)
    old, new = sorted((assessment, other), key=lambda revision: revision.revision)
    result = diff.diff_assessments(old, new)
    if request.GET.get("format") == "json":
        return JsonResponse(result, json_dumps_params={"indent": 2, "ensure_ascii": False})
    context.update(
        old=old,
        new=new,
        d=result,
        old_levels={level.key: level for level in scoring.levels(old.matrix)},
        new_levels={level.key: level for level in scoring.levels(new.matrix)},
    )
    return render(request, "assessments/diff.html", context)
