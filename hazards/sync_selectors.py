"""Scoped reads of the register across all of a user's projects, for the REST API and sync clients.

Lists return querysets the API pages by (updated_at, id), with what their representations read joined or
prefetched so that the query count does not grow with the page; single objects outside the user's
projects are a 404.
"""

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from assessments import workflow
from hazards.models import Comment, Consequence, HazardScenario, HazardTemplate, Mitigation, RiskAcceptance
from hazards.selectors import visible_to

# Representations need the assessment's id and project only; its matrix and context texts are large JSON
# and prose that would be read and decoded once per row.
ASSESSMENT_BULK = ("matrix", "user_population", "application_domain", "scope")
TEMPLATE_BULK = ("description", "causes", "consequences", "mitigations", "review_triggers", "references")


def _lean(prefix: str, fields=ASSESSMENT_BULK) -> list[str]:
    return [f"{prefix}{field}" for field in fields]


def _scope(qs, prefix: str, project_id: int | None, assessment_id: int | None):
    if project_id is not None:
        qs = qs.filter(**{f"{prefix}project_id": project_id})
    if assessment_id is not None:
        qs = qs.filter(**{f"{prefix[:-2]}_id": assessment_id})
    return qs


def hazard_sync_list(
    *,
    user: User,
    project_id: int | None = None,
    assessment_id: int | None = None,
    category: str = "",
    treatment: str = "",
    owner: User | None = None,
    risk_level: str = "",
) -> QuerySet[HazardScenario]:
    qs = (
        HazardScenario.objects.filter(visible_to(user))
        .select_related("assessment", "owner", "source_template")
        .defer(*_lean("assessment__"), *_lean("source_template__", TEMPLATE_BULK))
    )
    qs = _scope(qs, "assessment__", project_id, assessment_id)
    if category:
        qs = qs.filter(category=category)
    if treatment:
        qs = qs.filter(treatment=treatment)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if risk_level:
        qs = qs.filter(residual_level=risk_level)
    return qs


def consequence_sync_list(
    *, user: User, project_id: int | None = None, assessment_id: int | None = None, hazard_id: int | None = None
) -> QuerySet[Consequence]:
    qs = (
        Consequence.objects.filter(visible_to(user, "scenario__assessment__"))
        .select_related("scenario__assessment")
        .defer(*_lean("scenario__assessment__"))
    )
    qs = _scope(qs, "scenario__assessment__", project_id, assessment_id)
    if hazard_id is not None:
        qs = qs.filter(scenario_id=hazard_id)
    return qs


def _with_hazard_ids(qs: QuerySet[Mitigation]) -> QuerySet[Mitigation]:
    return (
        qs.select_related("assessment", "owner")
        .defer(*_lean("assessment__"))
        .prefetch_related(Prefetch("scenarios", queryset=HazardScenario.objects.only("id", "assessment_id")))
    )


def mitigation_sync_list(
    *,
    user: User,
    project_id: int | None = None,
    assessment_id: int | None = None,
    status: str = "",
    owner: User | None = None,
    external_system: str = "",
    external_key: str = "",
    hazard_id: int | None = None,
) -> QuerySet[Mitigation]:
    qs = _with_hazard_ids(Mitigation.objects.filter(visible_to(user)))
    qs = _scope(qs, "assessment__", project_id, assessment_id)
    if status:
        qs = qs.filter(status=status)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if external_system:
        qs = qs.filter(external_system=external_system)
    if external_key:
        qs = qs.filter(external_key=external_key)
    if hazard_id is not None:
        qs = qs.filter(scenarios__id=hazard_id)
    return qs


def mitigation_hazard_ids(*, mitigation_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the hazards each mitigation addresses, sorted, in one query: for mitigations already read
    through a scoped selector (a mitigation's links are in its own assessment)."""
    found: dict[int, list[int]] = {pk: [] for pk in mitigation_ids}
    links = Mitigation.scenarios.through.objects.filter(mitigation_id__in=mitigation_ids)
    for mitigation_id, hazard_id in links.values_list("mitigation_id", "hazardscenario_id").order_by(
        "mitigation_id", "hazardscenario_id"
    ):
        found[mitigation_id].append(hazard_id)
    return found


def mitigation_with_links(*, user: User, mitigation_id: int) -> Mitigation:
    """One mitigation with what its representation reads; 404 outside the user's projects."""
    try:
        return _with_hazard_ids(Mitigation.objects.filter(visible_to(user))).get(pk=mitigation_id)
    except (Mitigation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mitigation.") from None


class AmbiguousTicket(Exception):
    """More than one live mitigation carries the ticket key; the caller must name the assessment."""

    def __init__(self, candidates: list[Mitigation]):
        super().__init__("Several mitigations carry this ticket.")
        self.candidates = candidates


def mitigation_by_ticket(
    *, user: User, external_system: str, external_key: str, assessment_id: int | None = None
) -> Mitigation:
    """The one mitigation linked to a ticket, among the user's assessments whose progress can still be
    tracked (not superseded or archived); 404 if none, AmbiguousTicket if several (name the assessment)."""
    qs = _with_hazard_ids(
        Mitigation.objects.filter(
            visible_to(user),
            external_system=external_system,
            external_key=external_key,
            assessment__status__in=workflow.TRACKING_STATUSES,
        )
    )
    if assessment_id is not None:
        qs = qs.filter(assessment_id=assessment_id)
    found = list(qs.order_by("assessment_id")[:10])
    if not found:
        raise Http404("No mitigation in your projects is linked to this ticket.")
    if len(found) > 1:
        raise AmbiguousTicket(found)
    return found[0]


def acceptance_sync_list(
    *,
    user: User,
    project_id: int | None = None,
    assessment_id: int | None = None,
    hazard_id: int | None = None,
    active: bool | None = None,
    today=None,
) -> QuerySet[RiskAcceptance]:
    qs = (
        RiskAcceptance.objects.filter(visible_to(user, "scenario__assessment__"))
        .select_related("scenario__assessment", "accepted_by", "revoked_by")
        .defer(*_lean("scenario__assessment__"))
    )
    qs = _scope(qs, "scenario__assessment__", project_id, assessment_id)
    if hazard_id is not None:
        qs = qs.filter(scenario_id=hazard_id)
    if active is not None:
        qs = qs.valid(on=today) if active else qs.lapsed(on=today)
    return qs


def acceptance_get(*, user: User, acceptance_id: int) -> RiskAcceptance:
    try:
        return (
            RiskAcceptance.objects.filter(visible_to(user, "scenario__assessment__"))
            .select_related("scenario__assessment__project", "accepted_by", "revoked_by")
            .get(pk=acceptance_id)
        )
    except (RiskAcceptance.DoesNotExist, ValueError, TypeError):
        raise Http404("No such risk acceptance.") from None


def comment_sync_list(
    *, user: User, project_id: int | None = None, assessment_id: int | None = None, hazard_id: int | None = None
) -> QuerySet[Comment]:
    qs = (
        Comment.objects.filter(visible_to(user))
        .select_related("assessment", "author")
        .defer(*_lean("assessment__"))
        .prefetch_related(Prefetch("mentions", queryset=User.objects.only("id", "username")))
    )
    qs = _scope(qs, "assessment__", project_id, assessment_id)
    if hazard_id is not None:
        qs = qs.filter(scenario_id=hazard_id)
    return qs


def comment_get(*, user: User, comment_id: int) -> Comment:
    try:
        return comment_sync_list(user=user).get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such comment.") from None


def template_get(*, key: str) -> HazardTemplate:
    """A catalogue template by key (the catalogue is reference data every signed-in user may read)."""
    try:
        return HazardTemplate.objects.get(key=key, retired=False)
    except HazardTemplate.DoesNotExist:
        raise Http404("No such template.") from None
