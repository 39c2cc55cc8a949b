"""The scenario page: description, ratings explained, consequences, mitigations, acceptance, comments, history.

Every form on the page posts to its own URL. With htmx the answer is the whole page, from which the form's
section is swapped in (hx-select), so there is one template and one context builder for all of them.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assessments import permissions, selectors
from assessments.errors import InvalidInput, StaleVersion
from assessments.views.common import apply_errors, browser_view, caps_for, form_status, require, wants_fragment
from assessments.views.conflicts import build_conflict
from evaluations.forms import CitationForm
from hazards import scoring, services, sync_selectors
from hazards import selectors as hazard_selectors
from hazards.evidence import citable_runs, scenario_evidence
from hazards.forms import (
    AcceptanceForm,
    ConsequenceEditForm,
    ConsequenceForm,
    HazardForm,
    MitigationForm,
    RevokeForm,
    scenario_initial,
)
from hazards.views.comments import comments_context

LINK_CHOICES_LIMIT = 300
CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change the register."
APPROVERS_ONLY = "Only approvers and owners can accept or revoke risk."


def _scenario_for_change(request, hazard_id: int):
    """The scenario (a 404 outside the user's projects), if the user may change the register (else 403)."""
    scenario = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    require(permissions.can_contribute(request.user, scenario.assessment.project), CONTRIBUTORS_ONLY)
    return scenario


@dataclass(frozen=True)
class RatingExplained:
    stage: str
    likelihood: dict | None
    severity: dict | None
    level: scoring.Level | None


def _explain(matrix: dict, scenario, stage: str) -> RatingExplained:
    likelihood = getattr(scenario, f"{stage}_likelihood")
    severity = getattr(scenario, f"{stage}_severity")
    return RatingExplained(
        stage=stage,
        likelihood=matrix["likelihood"][likelihood - 1] if likelihood else None,
        severity=matrix["severity"][severity - 1] if severity else None,
        level=scoring.level_for(matrix, likelihood, severity),
    )


def scenario_page(request, hazard_id: int, *, forms: dict | None = None, conflict=None, status: int = 200):
    scenario = hazard_selectors.hazard_detail(user=request.user, hazard_id=hazard_id)
    assessment = scenario.assessment
    caps = caps_for(request.user, assessment.project, assessment)
    members = selectors.member_users(project=assessment.project)
    matrix = assessment.matrix
    today = timezone.localdate()
    forms = forms or {}
    linked = list(scenario.mitigations.all())
    linkable = assessment.mitigations.exclude(pk__in=[m.pk for m in linked]).order_by("number")
    context = {
        "s": scenario,
        "assessment": assessment,
        "caps": caps,
        "today": today,
        "ratings": [_explain(matrix, scenario, "inherent"), _explain(matrix, scenario, "residual")],
        "consequences": list(scenario.consequences.all()),
        "consequence_form": forms.get("consequence") or ConsequenceForm(matrix=matrix, auto_id="cq_%s"),
        "editing_consequence": forms.get("consequence_edit"),
        "mitigations": linked,
        "linkable": list(linkable.only("id", "ref", "title")[: LINK_CHOICES_LIMIT + 1]),
        "link_error": forms.get("link_error"),
        "mitigation_form": forms.get("mitigation") or MitigationForm(members=members, auto_id="mt_%s"),
        "acceptances": [(a, a.state(on=today)) for a in scenario.acceptances.all()],
        "acceptance_form": forms.get("acceptance") or AcceptanceForm(auto_id="ac_%s"),
        "revoke_form": forms.get("revoke"),
        "revoke_id": forms.get("revoke_id"),
        "max_acceptance_days": assessment.project.max_acceptance_days,
        "history": list(
            selectors.event_list(user=request.user, assessment=assessment).filter(object_ref=scenario.ref)[:25]
        ),
        "conflict": conflict,
        "evidence": scenario_evidence(scenario, assessment),
        "citation_form": forms.get("citation") or CitationForm(runs=citable_runs(assessment), auto_id="ev_%s"),
        **comments_context(request, assessment, scenario=scenario, form=forms.get("comment")),
    }
    context["link_limit_reached"] = len(context["linkable"]) > LINK_CHOICES_LIMIT
    return render(request, "hazards/hazard_detail.html", context, status=status)


@browser_view
def hazard_detail(request, hazard_id: int):
    # Always the whole page, also for htmx: sections refresh themselves by selecting their part of it.
    return scenario_page(request, hazard_id)


def _done(request, scenario_id: int, message: str, anchor: str):
    """After a successful write: the fresh page for htmx (the form's section, the ratings and the history are
    taken out of it), else a redirect to the section."""
    if wants_fragment(request):
        return scenario_page(request, scenario_id)
    messages.success(request, message)
    return redirect(f"{reverse('hazard_detail', args=[scenario_id])}#{anchor}")


def _failed(request, scenario_id: int, **kwargs):
    return scenario_page(request, scenario_id, status=form_status(request), **kwargs)


# --- The scenario itself ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@browser_view
def hazard_edit(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    assessment = scenario.assessment
    members = selectors.member_users(project=assessment.project)

    def make(data=None, initial=None):
        return HazardForm(data, initial=initial, matrix=assessment.matrix, members=members)

    form = make(initial=scenario_initial(scenario, HazardForm.field_names))
    conflict = None
    status = 200
    if request.method == "POST":
        form = make(request.POST)
        if form.is_valid():
            try:
                updated = services.hazard_update(
                    hazard_id=scenario.pk,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            except StaleVersion as exc:
                conflict = build_conflict(
                    user=request.user, form=form, exc=exc, object_type="hazardscenario", rebind=lambda data: make(data)
                )
                scenario, form = exc.current, conflict.form
            else:
                messages.success(request, f"Saved {updated.ref}.")
                return redirect("hazard_detail", updated.pk)
        status = 409 if conflict else 400
    context = {"s": scenario, "assessment": assessment, "form": form, "conflict": conflict}
    context["action"] = reverse("hazard_edit", args=[scenario.pk])
    return render(request, "hazards/hazard_edit.html", context, status=status)


@require_POST
@browser_view
def hazard_delete(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    version = request.POST.get("version", "")
    if not version.isdigit():
        raise InvalidInput({"version": ["Reload the page and try again."]})
    services.hazard_delete(hazard_id=scenario.pk, by=request.user, expected_version=int(version))
    messages.success(request, f"Deleted {scenario.ref} “{scenario.title}”. Its ref is not reused.")
    return redirect(f"{reverse('assessment_detail', args=[scenario.assessment_id])}#register")


# --- Consequences ----------------------------------------------------------------------------------


@require_POST
@browser_view
def consequence_add(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    form = ConsequenceForm(request.POST, matrix=scenario.assessment.matrix, auto_id="cq_%s")
    if form.is_valid():
        try:
            services.consequence_create(hazard_id=scenario.pk, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, scenario.pk, "Consequence added.", "consequences")
    return _failed(request, scenario.pk, forms={"consequence": form})


@require_http_methods(["GET", "POST"])
@browser_view
def consequence_edit(request, consequence_id: int):
    consequence = hazard_selectors.consequence_get(user=request.user, consequence_id=consequence_id)
    require(permissions.can_contribute(request.user, consequence.scenario.assessment.project), CONTRIBUTORS_ONLY)
    scenario = consequence.scenario
    matrix = scenario.assessment.matrix
    auto_id = f"cq{consequence.pk}_%s"
    if request.method == "GET":
        initial = {f: getattr(consequence, f) for f in ("description", "harm_type", "affected_party", "severity")}
        form = ConsequenceEditForm(initial={**initial, "version": consequence.version}, matrix=matrix, auto_id=auto_id)
        return scenario_page(request, scenario.pk, forms={"consequence_edit": (consequence.pk, form, None)})
    form = ConsequenceEditForm(request.POST, matrix=matrix, auto_id=auto_id)
    conflict = None
    if form.is_valid():
        try:
            services.consequence_update(
                consequence_id=consequence.pk,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except StaleVersion as exc:
            conflict = build_conflict(
                user=request.user,
                form=form,
                exc=exc,
                object_type="consequence",
                rebind=lambda data: ConsequenceEditForm(data, matrix=matrix, auto_id=auto_id),
            )
            form = conflict.form
        else:
            return _done(request, scenario.pk, "Consequence saved.", "consequences")
    return _failed(request, scenario.pk, forms={"consequence_edit": (consequence.pk, form, conflict)})


@require_POST
@browser_view
def consequence_delete(request, consequence_id: int):
    consequence = hazard_selectors.consequence_get(user=request.user, consequence_id=consequence_id)
    require(permissions.can_contribute(request.user, consequence.scenario.assessment.project), CONTRIBUTORS_ONLY)
    version = request.POST.get("version", "")
    if not version.isdigit():
        raise InvalidInput({"version": ["Reload the page and try again."]})
    services.consequence_delete(consequence_id=consequence.pk, by=request.user, expected_version=int(version))
    return _done(request, consequence.scenario_id, "Consequence removed.", "consequences")


# --- Mitigations of the scenario -------------------------------------------------------------------


@require_POST
@browser_view
def hazard_mitigation_create(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    members = selectors.member_users(project=scenario.assessment.project)
    form = MitigationForm(request.POST, members=members, auto_id="mt_%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            mitigation = services.mitigation_create(
                assessment_id=scenario.assessment_id,
                by=request.user,
                title=data.pop("title"),
                kind=data.pop("kind"),
                hazard_ids=[scenario.pk],
                **data,
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, scenario.pk, f"Added {mitigation.ref}.", "scenario-mitigations")
    return _failed(request, scenario.pk, forms={"mitigation": form})


@require_POST
@browser_view
def hazard_mitigation_link(request, hazard_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    wanted = request.POST.get("mitigation", "").strip()
    mitigation = scenario.assessment.mitigations.filter(ref__iexact=wanted).first() if wanted else None
    if mitigation is None:
        error = f"No mitigation “{wanted}” in this assessment." if wanted else "Choose a mitigation to link."
        return _failed(request, scenario.pk, forms={"link_error": error})
    services.mitigation_link(mitigation_id=mitigation.pk, hazard_id=scenario.pk, by=request.user, expected_version=None)
    return _done(request, scenario.pk, f"{mitigation.ref} now addresses {scenario.ref}.", "scenario-mitigations")


@require_POST
@browser_view
def hazard_mitigation_unlink(request, hazard_id: int, mitigation_id: int):
    scenario = _scenario_for_change(request, hazard_id)
    mitigation = get_object_or_404(scenario.assessment.mitigations, pk=mitigation_id)
    services.mitigation_unlink(
        mitigation_id=mitigation.pk, hazard_id=scenario.pk, by=request.user, expected_version=None
    )
    return _done(request, scenario.pk, f"{mitigation.ref} no longer addresses {scenario.ref}.", "scenario-mitigations")


# --- Risk acceptance -------------------------------------------------------------------------------


@require_POST
@browser_view
def acceptance_grant(request, hazard_id: int):
    scenario = hazard_selectors.hazard_get(user=request.user, hazard_id=hazard_id)
    require(permissions.can_accept_risk(request.user, scenario.assessment.project), APPROVERS_ONLY)
    form = AcceptanceForm(request.POST, auto_id="ac_%s")
    if form.is_valid():
        try:
            services.acceptance_grant(hazard_id=scenario.pk, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, scenario.pk, f"Residual risk of {scenario.ref} accepted.", "acceptance")
    return _failed(request, scenario.pk, forms={"acceptance": form})


@require_POST
@browser_view
def acceptance_revoke(request, acceptance_id: int):
    # An acceptance in someone else's project is a 404.
    acceptance = sync_selectors.acceptance_get(user=request.user, acceptance_id=acceptance_id)
    scenario = acceptance.scenario
    require(permissions.can_accept_risk(request.user, scenario.assessment.project), APPROVERS_ONLY)
    form = RevokeForm(request.POST, auto_id=f"rv{acceptance.pk}_%s")
    if form.is_valid():
        try:
            services.acceptance_revoke(
                acceptance_id=acceptance.pk,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            return _done(request, scenario.pk, f"Acceptance of {scenario.ref} revoked.", "acceptance")
    return _failed(request, scenario.pk, forms={"revoke": form, "revoke_id": acceptance.pk})
