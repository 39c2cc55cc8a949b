"""Every non-trivial read in the hazards app, always scoped to what the user may see."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from assessments import workflow
from assessments.models import Assessment, Membership, Role
from evaluations import freshness
from hazards.models import (
    Comment,
    Consequence,
    EvidenceCitation,
    HazardScenario,
    HazardTemplate,
    Mitigation,
    MitigationStatus,
    RiskAcceptance,
    Treatment,
)

HAZARD_SORTS = {
    "ref": ("number",),
    "title": ("title", "number"),
    "category": ("category", "number"),
    "inherent": ("inherent_rank", "inherent_severity", "number"),
    "residual": ("residual_rank", "residual_severity", "number"),
    "treatment": ("treatment", "number"),
    "owner": ("owner__username", "number"),
    "progress": ("done_mitigations", "number"),
}


@dataclass(frozen=True)
class HazardFilters:
    category: str = ""
    risk_level: str = ""  # a level key of the assessment's matrix
    stage: str = "residual"  # which rating risk_level and cell filter: inherent or residual
    treatment: str = ""
    owner: int | None = None
    q: str = ""
    likelihood: int | None = None  # a heat-map cell
    severity: int | None = None
    sort: str = "ref"
    descending: bool = False


def visible_to(user: User, prefix: str = "assessment__") -> Q:
    """The one scope rule of the register: rows of assessments in the user's projects.

    `prefix` is the path from the model to its assessment ("scenario__assessment__" for consequences,
    "" for objects that hang off the project directly).
    """
    return Q(**{f"{prefix}project__memberships__user": user})


DONE_STATUSES = [MitigationStatus.IMPLEMENTED, MitigationStatus.VERIFIED]


def _register_rows(user: User, assessment: Assessment, f: HazardFilters) -> QuerySet[HazardScenario]:
    """The scenarios of one assessment matching the filters, unordered and without annotations."""
    stage = "inherent" if f.stage == "inherent" else "residual"
    qs = HazardScenario.objects.filter(visible_to(user), assessment=assessment)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.risk_level:
        qs = qs.filter(**{f"{stage}_level": f.risk_level})
    if f.treatment:
        qs = qs.filter(treatment=f.treatment)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.likelihood and f.severity:
        qs = qs.filter(**{f"{stage}_likelihood": f.likelihood, f"{stage}_severity": f.severity})
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q) | Q(ref__iexact=f.q))
    return qs


def _register_order(f: HazardFilters) -> tuple[str, ...]:
    order = HAZARD_SORTS.get(f.sort, HAZARD_SORTS["ref"])
    return tuple(f"-{field}" for field in order) if f.descending else order


def _done_count() -> Count:
    return Count("mitigations", filter=Q(mitigations__status__in=DONE_STATUSES), distinct=True)


def hazard_list(
    *, user: User, assessment: Assessment, filters: HazardFilters | None = None
) -> QuerySet[HazardScenario]:
    """The register of one assessment (which the caller got through a scoped selector)."""
    f = filters or HazardFilters()
    return (
        _register_rows(user, assessment, f)
        .select_related("owner")
        .annotate(mitigation_count=Count("mitigations", distinct=True), done_mitigations=_done_count())
        .order_by(*_register_order(f))
    )


# What a register row shows: its long texts (description, causes, affected parties) and the owner's other
# columns are left in the database.
REGISTER_ROW_FIELDS = (
    "assessment_id",
    "number",
    "ref",
    "title",
    "category",
    "treatment",
    "version",
    *(f"{stage}_{part}" for stage in ("inherent", "residual") for part in ("likelihood", "severity", "level", "rank")),
    "owner__username",
)


def register_page(
    *, user: User, assessment: Assessment, filters: HazardFilters | None = None, page: int | str | None, per_page: int
) -> Page:
    """One page of the register, cheap at any size: ids are counted and paged on the bare rows (index scans),
    then only that page is read with its owners, mitigation progress and cited evidence. Five queries, whatever
    the size.

    Rows carry `mitigation_count` and `done_mitigations` as hazard_list's do, and `evidence_count` and
    `stale_evidence` (cited runs, and how many of them are stale).
    """
    f = filters or HazardFilters()
    ids = _register_rows(user, assessment, f)
    if f.sort == "progress":
        # Only this sort needs the progress of every row; the others page on plain columns.
        ids = ids.annotate(done_mitigations=_done_count())
    result = Paginator(ids.order_by(*_register_order(f)).values_list("pk", flat=True), per_page).get_page(page)
    page_ids = list(result.object_list)
    rows = {
        row.pk: row
        for row in HazardScenario.objects.filter(pk__in=page_ids).select_related("owner").only(*REGISTER_ROW_FIELDS)
    }
    # Naming the assessment of the mitigations (always the scenarios' own) lets PostgreSQL read them by its
    # index; without it, once the table holds other projects' mitigations (100,000 in the benchmark), it
    # scans them all to join the page's 200 links: 19 ms instead of 2.6 ms.
    links = Mitigation.scenarios.through.objects.filter(
        hazardscenario_id__in=page_ids, mitigation__assessment_id=assessment.pk
    )
    progress = {
        scenario_id: (total, done)
        for scenario_id, total, done in links.values("hazardscenario_id")
        .annotate(
            total=Count("mitigation_id"), done=Count("mitigation_id", filter=Q(mitigation__status__in=DONE_STATUSES))
        )
        .values_list("hazardscenario_id", "total", "done")
        .order_by()
    }
    for pk, row in rows.items():
        row.mitigation_count, row.done_mitigations = progress.get(pk, (0, 0))
        row.evidence_count, row.stale_evidence = 0, 0
    # Cited evaluation runs of the page, judged stale against this assessment: one query for the page.
    for citation in (
        EvidenceCitation.objects.filter(scenario_id__in=page_ids)
        .select_related("run")
        .only(
            "scenario_id",
            "run__status",
            "run__number",
            "run__model_name",
            "run__model_version",
            "run__finished_at",
            "run__created_at",
        )
    ):
        row = rows.get(citation.scenario_id)
        if row is not None:
            row.evidence_count += 1
            row.stale_evidence += bool(freshness.stale_reasons(citation.run, assessment))
    result.object_list = [rows[pk] for pk in page_ids if pk in rows]
    return result


def hazard_get(*, user: User, hazard_id: int) -> HazardScenario:
    try:
        return (
            HazardScenario.objects.filter(visible_to(user))
            .select_related("assessment__project", "owner", "source_template")
            .get(pk=hazard_id)
        )
    except (HazardScenario.DoesNotExist, ValueError, TypeError):
        raise Http404("No such hazard scenario.") from None


def hazard_detail(*, user: User, hazard_id: int) -> HazardScenario:
    """A scenario with its consequences, mitigations and acceptances, for the scenario page."""
    scenario = hazard_get(user=user, hazard_id=hazard_id)
    return (
        HazardScenario.objects.filter(pk=scenario.pk)
        .select_related("assessment__project", "owner", "source_template")
        .prefetch_related(
            "consequences",
            Prefetch("mitigations", queryset=Mitigation.objects.select_related("owner").order_by("number")),
            Prefetch("acceptances", queryset=RiskAcceptance.objects.select_related("accepted_by", "revoked_by")),
        )
        .get()
    )


def consequence_get(*, user: User, consequence_id: int) -> Consequence:
    try:
        return (
            Consequence.objects.filter(visible_to(user, "scenario__assessment__"))
            .select_related("scenario__assessment__project")
            .get(pk=consequence_id)
        )
    except (Consequence.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consequence.") from None


def mitigation_list(
    *, user: User, assessment: Assessment, status: str = "", owner: int | None = None
) -> QuerySet[Mitigation]:
    qs = (
        Mitigation.objects.filter(visible_to(user), assessment=assessment)
        .select_related("owner")
        .prefetch_related(
            Prefetch("scenarios", queryset=HazardScenario.objects.only("id", "ref", "title", "assessment_id"))
        )
    )
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    return qs.order_by("number")


def mitigation_get(*, user: User, mitigation_id: int) -> Mitigation:
    try:
        return (
            Mitigation.objects.filter(visible_to(user))
            .select_related("assessment__project", "owner")
            .get(pk=mitigation_id)
        )
    except (Mitigation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mitigation.") from None


def template_list(*, area: str = "", q: str = "") -> QuerySet[HazardTemplate]:
    """The catalogue is public reference data: every signed-in user may browse it."""
    qs = HazardTemplate.objects.filter(retired=False)
    if area:
        qs = qs.filter(area=area)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(key__iexact=q))
    return qs.order_by("key")


OPEN_MITIGATION_STATUSES = [MitigationStatus.PROPOSED, MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS]


def mitigations_assigned(*, user: User, limit: int = 25) -> list[Mitigation]:
    """Open mitigations the user owns in assessments still being tracked, earliest due (so overdue) first."""
    if not user.is_authenticated:
        return []
    return list(
        Mitigation.objects.filter(
            visible_to(user),
            owner=user,
            status__in=OPEN_MITIGATION_STATUSES,
            assessment__status__in=workflow.TRACKING_STATUSES,
        )
        .select_related("assessment__project")
        .order_by(F("due_date").asc(nulls_last=True), "assessment_id", "number")[:limit]
    )


def heatmap_counts(*, user: User, assessment: Assessment) -> dict[str, dict[tuple[int, int], int]]:
    """{"inherent"|"residual": {(likelihood, severity): number of scenarios}}: one grouped query (at most
    one row per pair of ratings, 625 on a 5 × 5 matrix, whatever the number of scenarios)."""
    rows = (
        HazardScenario.objects.filter(visible_to(user), assessment=assessment)
        .values_list("inherent_likelihood", "inherent_severity", "residual_likelihood", "residual_severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[tuple[int, int], int]] = {"inherent": {}, "residual": {}}
    inherent, residual = counts["inherent"], counts["residual"]
    for il, is_, rl, rs, n in rows:
        if il is not None and is_ is not None:
            inherent[il, is_] = inherent.get((il, is_), 0) + n
        if rl is not None and rs is not None:
            residual[rl, rs] = residual.get((rl, rs), 0) + n
    return counts


def mitigation_board(
    *, user: User, assessment: Assessment, per_status: int = 12
) -> tuple[dict[str, list[Mitigation]], dict[str, int]]:
    """The mitigations board: up to `per_status` mitigations per status (earliest due first) and the count
    of each status. Three queries however many mitigations there are: the (status, due date) of all of
    them, then only the shown ones with their owners and scenarios."""
    visible = Mitigation.objects.filter(visible_to(user), assessment=assessment)
    counts = dict(visible.values_list("status").annotate(n=Count("pk")).order_by())
    # The first few of each status are chosen by the database: numbering the rows of each status in a window
    # and keeping the first `per_status` sends 48 ids instead of every mitigation's key to Python, where
    # building 4,000 tuples and sorting them cost more than the database's sort.
    ranked = (
        visible.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("due_date").asc(nulls_last=True), F("number").asc(), F("pk").asc()],
            )
        )
        .filter(position__lte=per_status)
        .values_list("status", "pk")
        .order_by("status", "position")
    )
    shown: dict[str, list[int]] = {status: [] for status in MitigationStatus.values}
    for status, pk in ranked:
        shown[status].append(pk)
    wanted = [pk for pks in shown.values() for pk in pks]
    rows = {
        m.pk: m
        for m in Mitigation.objects.filter(pk__in=wanted)
        .select_related("owner")
        .prefetch_related(Prefetch("scenarios", queryset=HazardScenario.objects.only("id", "ref").order_by("number")))
    }
    columns = {status: [rows[pk] for pk in pks if pk in rows] for status, pks in shown.items()}
    return columns, counts


def comment_list(*, user: User, assessment: Assessment, scenario: HazardScenario | None = None) -> QuerySet[Comment]:
    """Comments on the assessment itself (scenario=None) or on one of its scenarios, oldest first."""
    qs = Comment.objects.filter(visible_to(user), assessment=assessment, scenario=scenario).select_related("author")
    return qs.order_by("created_at", "id")


def acceptance_review_list(*, user: User, assessment: Assessment | None = None) -> QuerySet[HazardScenario]:
    """Scenarios whose risk acceptance expired or was revoked and that nothing covers again ("My work").

    Listed for the people who must act: the scenario's owner, and the project's owners and approvers
    (who can accept the risk again). A scenario is covered again by a valid acceptance, or by moving it
    off the `accept` treatment with a mitigation that is not rejected. Each row carries `last_expired_on`
    and `last_revoked_at` (None when it has none of that kind). One query however long the list.
    """
    if not user.is_authenticated:
        return HazardScenario.objects.none()
    today = timezone.localdate()
    project = OuterRef("assessment__project")
    acceptances = RiskAcceptance.objects.filter(scenario=OuterRef("pk"))
    expired = acceptances.expired(on=today)
    revoked = acceptances.filter(revoked_at__isnull=False)
    valid = acceptances.valid(on=today)
    live_mitigation = Mitigation.objects.filter(scenarios=OuterRef("pk")).exclude(status=MitigationStatus.REJECTED)
    qs = (
        HazardScenario.objects.filter(
            Exists(Membership.objects.filter(project=project, user=user)),
            Q(owner=user)
            | Exists(Membership.objects.filter(project=project, user=user, role__in=[Role.OWNER, Role.APPROVER])),
            Exists(expired) | Exists(revoked),
            ~Exists(valid),
            # Revisions someone still works on or relies on; superseded and archived ones are history.
            assessment__status__in=workflow.TRACKING_STATUSES,
        )
        .exclude(Q(Exists(live_mitigation)) & ~Q(treatment=Treatment.ACCEPT))
        .select_related("assessment__project", "owner")
        .annotate(
            last_expired_on=Subquery(expired.order_by("-expires_on").values("expires_on")[:1]),
            last_revoked_at=Subquery(revoked.order_by("-revoked_at").values("revoked_at")[:1]),
        )
    )
    if assessment is not None:
        qs = qs.filter(assessment=assessment)
    return qs.order_by("assessment__project__name", "assessment__title", "assessment__revision", "number")
