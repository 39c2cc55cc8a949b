"""A scenario's evidence in the browser: cite a run, remove a citation, accept the suggested likelihood.

The section lives on the scenario page (scenarios.scenario_page builds its context); each form posts here
and, like the page's other forms, gets the fresh page back for htmx to take the section out of.
"""

from django.http import Http404
from django.views.decorators.http import require_POST

from assessments.errors import InvalidInput
from assessments.views.common import apply_errors, browser_view
from evaluations.forms import CitationForm
from hazards import services
from hazards.evidence import citable_runs
from hazards.models import EvidenceCitation
from hazards.views.scenarios import _done, _failed, _scenario_for_change


def _citation_for_change(request, citation_id: int) -> EvidenceCitation:
    citation = EvidenceCitation.objects.filter(pk=citation_id).only("pk", "scenario_id").first()
    if citation is None:
        raise Http404("No such citation.")
    _scenario_for_change(request, citation.scenario_id)  # 404 outside the user's projects, 403 below contributor
    return citation


@require_POST
@browser_view
def citation_add(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    form = CitationForm(request.POST, runs=citable_runs(scenario.assessment), auto_id="ev_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.citation_create(
                hazard_id=scenario.pk,
                by=request.user,
                run_id=data["run"],
                relation=data["relation"],
                level=data["level"],
                note=data["note"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, scenario.pk, "Evidence cited.", "evidence")
    return _failed(request, scenario.pk, forms={"citation": form})


@require_POST
@browser_view
def citation_remove(request, citation_id: int):
    citation = _citation_for_change(request, citation_id)
    services.citation_delete(citation_id=citation.pk, by=request.user)
    return _done(request, citation.scenario_id, "Citation removed.", "evidence")


@require_POST
@browser_view
def suggestion_accept(request, citation_id: int):
    citation = _citation_for_change(request, citation_id)
    version = request.POST.get("version", "")
    if not version.isdigit():
        raise InvalidInput({"version": ["Reload the page and try again."]})
    stage = request.POST.get("stage", "inherent")
    scenario = services.suggestion_accept(
        citation_id=citation.pk, by=request.user, expected_version=int(version), stage=stage
    )
    return _done(request, scenario.pk, f"{stage.capitalize()} likelihood set from the evidence.", "evidence")
