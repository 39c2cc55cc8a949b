"""The hazard register of an assessment: filtered, sorted and paginated rows with inline add and edit."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessments import page_cache, permissions, selectors
from assessments.errors import InvalidInput, StaleVersion
from assessments.templatetags.hazlog_ui import query_string as query_with
from assessments.views.common import apply_errors, browser_view, caps_for, require, wants_fragment
from assessments.views.conflicts import build_conflict
from hazards import page_keys, scoring, services
from hazards import selectors as hazard_selectors
from hazards.forms import HazardAddForm, HazardRowForm, RegisterFilterForm, scenario_initial
from hazards.views import display

PAGE_SIZE = 50
CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change the register."
REGISTER_COLUMNS = [
    ("ref", "Ref"),
    ("title", "Scenario"),
    ("category", "Category"),
    ("inherent", "Inherent"),
    ("residual", "Residual"),
    ("treatment", "Treatment"),
    ("owner", "Owner"),
    ("progress", "Mitigations"),
]


def register_context(request, assessment, caps, *, members=None, add_form=None, highlight=None) -> dict:
    """Everything the register fragment shows; constant queries whatever the number of scenarios."""
    members = members if members is not None else selectors.member_users(project=assessment.project)
    filter_form = RegisterFilterForm(request.GET, matrix=assessment.matrix, members=members)
    filters = filter_form.filters()
    page = hazard_selectors.register_page(
        user=request.user, assessment=assessment, filters=filters, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    if add_form is None and caps.edit_content:
        add_form = HazardAddForm(matrix=assessment.matrix, members=members, auto_id="add_%s")
    sort_links = []
    for key, label in REGISTER_COLUMNS:
        current = filters.sort == key
        aria = ("descending" if filters.descending else "ascending") if current else "none"
        next_dir = "desc" if current and not filters.descending else "asc"
        # The query string of each header link, built here once rather than by a template tag per link and URL.
        sort_links.append((label, aria, query_with(request.GET, sort=key, dir=next_dir, page=None)))
    levels_by_key = {level.key: level for level in scoring.levels(assessment.matrix)}
    display.register_rows(page.object_list, levels_by_key, can_edit=caps.edit_content, highlight=highlight)
    return {
        "assessment": assessment,
        "caps": caps,
        "page_url": reverse("assessment_detail", args=[assessment.pk]),
        "register_url": reverse("register", args=[assessment.pk]),
        "sort_links": sort_links,
        "filter_form": filter_form,
        "filters": filters,
        "is_filtered": filter_form.is_filtered(),
        "page": page,
        "columns": REGISTER_COLUMNS,
        "levels_by_key": levels_by_key,
        "add_form": add_form,
        "highlight": highlight,
        "members": members,
    }


@browser_view
def register(request, assessment_id: int):
    """The register fragment; without htmx, the assessment page showing the register with the same filters."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        query = request.GET.urlencode()
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}{'?' + query if query else ''}#register")
    caps = caps_for(request.user, assessment.project, assessment)
    return HttpResponse(register_html(request, assessment, caps))


def _cacheable(query, context: dict) -> bool:
    """Structured views of the register only: no free-text search, valid filters, a page that exists."""
    form = context["filter_form"]
    return (
        page_cache.only_known(query, [name for name in form.fields if name != "q"] + ["page"])
        and not form.errors
        and query.get("page", str(context["page"].number)) == str(context["page"].number)
    )


def register_html(request, assessment, caps, *, members=None) -> str:
    """The register as the request asks for it (filters, sort, page), from the page cache when nothing it
    shows has changed; with the request's own CSRF token."""
    cache_key = page_keys.register(
        user=request.user, assessment=assessment, caps=caps, query_string=request.GET.urlencode()
    )
    html = page_cache.get(cache_key)
    if html is None:
        context = register_context(request, assessment, caps, members=members)
        context["csrf_token"] = page_cache.CSRF_PLACEHOLDER  # the add form's; each request gets its own
        html = render_to_string("hazards/partials/register.html", context, request)
        if _cacheable(request.GET, context):
            people = [s.owner for s in context["page"].object_list]
            page_cache.put(cache_key, html, people=people, until=page_keys.evidence_ends(assessment))
    return page_cache.with_request_token(request, html)


@require_http_methods(["GET", "POST"])
@browser_view
def hazard_add(request, assessment_id: int):
    """Inline add in the register (htmx), or its own page without JavaScript."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    caps = caps_for(request.user, assessment.project, assessment)
    require(caps.contribute, CONTRIBUTORS_ONLY)
    members = selectors.member_users(project=assessment.project)
    if request.method == "GET":
        form = HazardAddForm(matrix=assessment.matrix, members=members, auto_id="add_%s")
        return render(request, "hazards/hazard_add.html", {"assessment": assessment, "caps": caps, "form": form})
    form = HazardAddForm(request.POST, matrix=assessment.matrix, members=members, auto_id="add_%s")
    if form.is_valid():
        try:
            scenario = services.hazard_create(assessment_id=assessment.pk, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            if not wants_fragment(request):
                messages.success(request, f"Added {scenario.ref} “{scenario.title}”.")
                return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#register")
            context = register_context(request, assessment, caps, members=members, highlight=scenario.pk)
            context["added"] = scenario
            response = render(request, "hazards/partials/register.html", context)
            response["HX-Trigger-After-Swap"] = "hazards-saved"
            return response
    if wants_fragment(request):
        context = register_context(request, assessment, caps, members=members, add_form=form)
        return render(request, "hazards/partials/register.html", context)
    context = {"assessment": assessment, "caps": caps, "form": form}
    return render(request, "hazards/hazard_add.html", context, status=400)


def _row_context(request, scenario, **extra) -> dict:
    assessment = scenario.assessment
    caps = caps_for(request.user, assessment.project, assessment)
    levels_by_key = {level.key: level for level in scoring.levels(assessment.matrix)}
    display.register_rows([scenario], levels_by_key, can_edit=caps.edit_content, highlight=extra.get("highlight"))
    return {
        "assessment": assessment,
        "caps": caps,
        "s": scenario,
        "levels_by_key": levels_by_key,
        **extra,
    }


def _annotated(request, scenario):
    """The scenario as the register shows it (with its mitigation counts)."""
    return hazard_selectors.hazard_list(user=request.user, assessment=scenario.assessment).get(pk=scenario.pk)


@browser_view
def hazard_row(request, hazard_id: int):
    scenario = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    if not wants_fragment(request):
        return redirect("hazard_detail", scenario.pk)
    return render(request, "hazards/partials/register.html#row", _row_context(request, _annotated(request, scenario)))


@require_http_methods(["GET", "POST"])
@browser_view
def hazard_row_edit(request, hazard_id: int):
    """Inline edit of one register row; a stale save shows the conflict in the row."""
    scenario = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    assessment = scenario.assessment
    require(permissions.can_contribute(request.user, assessment.project), CONTRIBUTORS_ONLY)
    members = selectors.member_users(project=assessment.project)
    prefix = f"h{scenario.pk}_%s"
    if request.method == "GET":
        if not wants_fragment(request):
            return redirect("hazard_edit", scenario.pk)
        form = HazardRowForm(
            initial=scenario_initial(scenario, HazardRowForm.field_names),
            matrix=assessment.matrix,
            members=members,
            auto_id=prefix,
        )
        return render(request, "hazards/partials/register.html#edit_row", _row_context(request, scenario, form=form))

    form = HazardRowForm(request.POST, matrix=assessment.matrix, members=members, auto_id=prefix)
    conflict = None
    if form.is_valid():
        try:
            updated = services.hazard_update(
                hazard_id=scenario.pk, by=request.user, expected_version=form.cleaned_data["version"], **form.changes()
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except StaleVersion as exc:
            conflict = build_conflict(
                user=request.user,
                form=form,
                exc=exc,
                object_type="hazardscenario",
                rebind=lambda data: HazardRowForm(data, matrix=assessment.matrix, members=members, auto_id=prefix),
            )
            scenario = exc.current
            form = conflict.form
        else:
            if not wants_fragment(request):
                messages.success(request, f"Saved {updated.ref}.")
                return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#row-{updated.pk}")
            context = _row_context(request, _annotated(request, updated), highlight=updated.pk)
            response = render(request, "hazards/partials/register.html#row", context)
            response["HX-Trigger-After-Swap"] = "hazards-saved"
            return response
    if not wants_fragment(request):
        context = {"s": scenario, "assessment": assessment, "form": form, "conflict": conflict}
        context["action"] = reverse("hazard_row_edit", args=[scenario.pk])
        return render(request, "hazards/hazard_edit.html", context, status=409 if conflict else 400)
    return render(
        request,
        "hazards/partials/register.html#edit_row",
        _row_context(request, scenario, form=form, conflict=conflict),
    )
