"""The hazard catalogue: browse and search templates by area, and add several to an assessment at once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.errors import InvalidInput
from assessments.views.common import browser_view, caps_for, refused, require, wants_fragment
from hazards import selectors as hazard_selectors
from hazards import services
from hazards.models import Category


def _target_assessment(request):
    """The assessment templates would be added to (`?assessment=`), if the user may add to it."""
    raw = request.GET.get("assessment") or request.POST.get("assessment")
    if not raw:
        return None, None
    assessment = selectors.assessment_get(user=request.user, assessment_id=raw)
    return assessment, caps_for(request.user, assessment.project, assessment)


@browser_view
def catalogue(request):
    area = request.GET.get("area", "")
    if area not in Category.values:
        area = ""
    q = request.GET.get("q", "").strip()[:100]
    assessment, caps = _target_assessment(request)
    templates = list(hazard_selectors.template_list(area=area, q=q))
    # Choices made before the filter changed stay chosen (sent along by the filter form).
    selected = list(dict.fromkeys(request.GET.getlist("templates")))[:100]
    shown = {t.key for t in templates}
    context = {
        "templates": templates,
        "selected": set(selected),
        "selected_elsewhere": [key for key in selected if key not in shown],
        "areas": Category.choices,
        "area": area,
        "q": q,
        "assessment": assessment,
        "can_add": bool(caps and caps.edit_content),
        "existing_keys": set(
            assessment.scenarios.filter(source_template__isnull=False).values_list("source_template__key", flat=True)
        )
        if assessment
        else set(),
    }
    if wants_fragment(request):
        return render(request, "hazards/catalogue.html#results", context)
    return render(request, "hazards/catalogue.html", context)


@require_POST
@browser_view
def catalogue_add(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    require(caps_for(request.user, assessment.project, assessment).contribute, "Only contributors can add scenarios.")
    keys = request.POST.getlist("templates")
    back = f"{reverse('catalogue')}?assessment={assessment.pk}"
    try:
        created = services.hazards_from_templates(assessment_id=assessment.pk, template_keys=keys, by=request.user)
    except InvalidInput as exc:
        return refused(request, " ".join(" ".join(v) for v in exc.errors.values()), back=back)
    refs = ", ".join(s.ref for s in created)
    messages.success(
        request,
        f"Added {len(created)} scenario{'s' if len(created) != 1 else ''} ({refs}) with their consequences and "
        "suggested mitigations.",
    )
    return redirect("assessment_detail", assessment.pk)
