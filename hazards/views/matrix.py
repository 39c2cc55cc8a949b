"""Re-rating a draft assessment on another risk matrix (the project's current one or a preset); owners only."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments import permissions, selectors
from assessments.errors import InvalidInput, StaleVersion
from assessments.forms import VersionedForm
from assessments.views.common import apply_errors, browser_view, require
from hazards import scoring, services
from hazards.services.scenarios import MatrixChange

PROJECT = "project"


class MatrixChoiceForm(VersionedForm):
    source = forms.ChoiceField(label="Rate this assessment on")

    def __init__(self, *args, project_matrix: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (PROJECT, f"The project's matrix: {project_matrix.get('name', 'custom')}"),
            *((key, data["name"]) for key, data in scoring.PRESETS.items()),
        ]

    def matrix(self, project_matrix: dict) -> dict:
        source = self.cleaned_data["source"]
        return project_matrix if source == PROJECT else scoring.preset(source)


@require_http_methods(["GET", "POST"])
@browser_view
def assessment_matrix(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    project = assessment.project
    require(permissions.can_manage(request.user, project), "Only project owners can change an assessment's matrix.")
    form = MatrixChoiceForm(
        request.POST or None, project_matrix=project.matrix, initial={"version": assessment.version, "source": PROJECT}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.assessment_set_matrix(
                    assessment_id=assessment.pk,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    matrix=form.matrix(project.matrix),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            except StaleVersion:
                messages.error(request, "The assessment changed while you were choosing; nothing was changed.")
                return redirect("assessment_matrix", assessment.pk)
            else:
                messages.success(request, _announcement(result))
                return redirect("assessment_detail", assessment.pk)
        status = 400
    context = {
        "assessment": assessment,
        "form": form,
        "levels": scoring.levels(assessment.matrix),
    }
    return render(request, "hazards/assessment_matrix.html", context, status=status)


def _announcement(result: MatrixChange) -> str:
    """Say what the re-rating did."""
    name = result.assessment.matrix.get("name", "the new matrix")
    if not result.changed:
        return f"Already rated on {name}; nothing was changed."
    cleared = result.ratings_cleared
    plural = cleared != 1
    note = f" {cleared} rating{'s' if plural else ''} outside its scales {'were' if plural else 'was'} cleared."
    return f"Now rated on {name}; risk levels were recomputed." + (note if cleared else "")
