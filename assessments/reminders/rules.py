"""The reminder rules: each finds the open items of one kind and the people to remind, in bounded batches.

Every rule lists its candidates' ids in one query and reads them BATCH rows at a time, plus at most two
look-ups per batch for the people concerned, so the number of queries grows with the number of batches,
never with the number of rows. Items are listed every day while they stay open: a mitigation
stays overdue, an expired acceptance stays expired, until someone acts on it.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from assessments import permissions
from assessments.models import Approval, Assessment, Membership, Role, Status

BATCH = 1000
# Mitigations are reminded this many days ahead of their due date, and every day once overdue.
DUE_SOON_DAYS = 7
# Acceptances are reminded on these days before they expire, and every day after.
EXPIRY_NOTICE_DAYS = (30, 7, 1)
OPEN_MITIGATION = ("proposed", "planned", "in_progress")
# Content that is still in force or in progress; superseded and archived revisions are history.
LIVE = (Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED)

MITIGATION_DUE = "mitigation_due"
REVIEW_WAITING = "review_waiting"
ACCEPTANCE_EXPIRING = "acceptance_expiring"
REVIEW_OVERDUE = "review_overdue"
KIND_TITLES = {
    MITIGATION_DUE: "Mitigations due soon or overdue",
    REVIEW_WAITING: "Assessments waiting for your review",
    ACCEPTANCE_EXPIRING: "Risk acceptances expiring or expired",
    REVIEW_OVERDUE: "Assessments past their next review date",
}


@dataclass(frozen=True)
class Item:
    user_id: int
    kind: str
    text: str
    url: str
    project: str
    sort: str  # orders items within a kind (dates first)

    def as_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "url": self.url, "project": self.project}


def _batches(queryset, fields: list[str]) -> Iterator[list[dict]]:
    """Rows of `queryset` as dicts, BATCH at a time, by ascending id.

    One query lists the ids of the candidates (integers only), then one query per batch reads the rows by
    primary key. Unlike "id > last ORDER BY id LIMIT n", each batch costs the same whatever the planner
    estimates, so the scan stays linear in the number of candidates.
    """
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    model = queryset.model
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        yield list(model.objects.filter(pk__in=chunk).order_by("pk").values("pk", *fields))


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _assessment_url(assessment_id: int, anchor: str = "") -> str:
    return f"/assessments/{assessment_id}/" + (f"#{anchor}" if anchor else "")


def _members(project_ids: set[int], roles) -> dict[int, list[int]]:
    """project id → ids of active members holding one of the roles (one query)."""
    members: dict[int, list[int]] = {}
    rows = Membership.objects.filter(project_id__in=project_ids, role__in=list(roles), user__is_active=True)
    for project_id, user_id in rows.values_list("project_id", "user_id"):
        members.setdefault(project_id, []).append(user_id)
    return members


def mitigations_due(today: datetime.date) -> Iterator[Item]:
    """Open mitigations due within DUE_SOON_DAYS or overdue → their owners (if still project members)."""
    mitigation = apps.get_model("hazards", "Mitigation")
    owner_is_member = Membership.objects.filter(
        project_id=OuterRef("assessment__project_id"), user_id=OuterRef("owner_id")
    )
    candidates = mitigation.objects.filter(
        Exists(owner_is_member),
        due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        status__in=OPEN_MITIGATION,
        owner__is_active=True,
        assessment__status__in=LIVE,
    )
    fields = ["ref", "title", "due_date", "owner_id", "assessment_id", "assessment__title", "assessment__project__name"]
    for rows in _batches(candidates, fields):
        for row in rows:
            left = (row["due_date"] - today).days
            when = (
                f"overdue by {_days(-left)}"
                if left < 0
                else "due today"
                if left == 0
                else f"due in {_days(left)} ({row['due_date'].isoformat()})"
            )
            yield Item(
                user_id=row["owner_id"],
                kind=MITIGATION_DUE,
                text=f"{row['ref']} {row['title']} in “{row['assessment__title']}” is {when}.",
                url=_assessment_url(row["assessment_id"], row["ref"]),
                project=row["assessment__project__name"],
                sort=row["due_date"].isoformat(),
            )


def reviews_waiting(today: datetime.date) -> Iterator[Item]:
    """Assessments in review for more than REVIEW_REMINDER_DAYS → everyone who may review them (reviewers,
    approvers, owners) and has not approved this content yet, except the person who submitted it."""
    cutoff = datetime.datetime.combine(
        today - datetime.timedelta(days=settings.HAZLOG_REVIEW_REMINDER_DAYS), datetime.time.min, datetime.UTC
    )
    candidates = Assessment.objects.filter(status=Status.IN_REVIEW, submitted_at__lt=cutoff)
    fields = ["title", "revision", "project_id", "project__name", "submitted_at", "submitted_by_id", "content_hash"]
    for rows in _batches(candidates, fields):
        members = _members({r["project_id"] for r in rows}, permissions.REVIEWERS)
        approved = set(
            Approval.objects.filter(assessment_id__in=[r["pk"] for r in rows]).values_list(
                "assessment_id", "approver_id", "content_hash"
            )
        )
        for row in rows:
            waited = (today - row["submitted_at"].date()).days
            for user_id in members.get(row["project_id"], []):
                if user_id == row["submitted_by_id"] or (row["pk"], user_id, row["content_hash"]) in approved:
                    continue
                yield Item(
                    user_id=user_id,
                    kind=REVIEW_WAITING,
                    text=f"“{row['title']}” (rev. {row['revision']}) has waited {_days(waited)} for review.",
                    url=_assessment_url(row["pk"]),
                    project=row["project__name"],
                    sort=row["submitted_at"].isoformat(),
                )


def acceptances_expiring(today: datetime.date) -> Iterator[Item]:
    """Acceptances expiring in 30, 7 or 1 days, or expired and not renewed → approvers and owners."""
    acceptance = apps.get_model("hazards", "RiskAcceptance")
    renewed = acceptance.objects.filter(scenario_id=OuterRef("scenario_id")).valid(on=today)
    notice_days = [today + datetime.timedelta(days=n) for n in EXPIRY_NOTICE_DAYS]
    candidates = acceptance.objects.filter(
        Q(expires_on__in=notice_days) | (Q(expires_on__lt=today) & ~Exists(renewed)),
        revoked_at__isnull=True,
        scenario__assessment__status__in=LIVE,
    )
    fields = [
        "expires_on",
        "scenario__ref",
        "scenario__title",
        "scenario__assessment_id",
        "scenario__assessment__title",
        "scenario__assessment__project_id",
        "scenario__assessment__project__name",
    ]
    for rows in _batches(candidates, fields):
        members = _members({r["scenario__assessment__project_id"] for r in rows}, permissions.APPROVERS)
        for row in rows:
            left = (row["expires_on"] - today).days
            when = f"expired on {row['expires_on'].isoformat()}" if left < 0 else f"expires in {_days(left)}"
            for user_id in members.get(row["scenario__assessment__project_id"], []):
                yield Item(
                    user_id=user_id,
                    kind=ACCEPTANCE_EXPIRING,
                    text=f"The risk acceptance of {row['scenario__ref']} {row['scenario__title']} in "
                    f"“{row['scenario__assessment__title']}” {when}.",
                    url=_assessment_url(row["scenario__assessment_id"], row["scenario__ref"]),
                    project=row["scenario__assessment__project__name"],
                    sort=row["expires_on"].isoformat(),
                )


def reviews_overdue(today: datetime.date) -> Iterator[Item]:
    """Approved assessments past their next-review date → project owners."""
    candidates = Assessment.objects.filter(status=Status.APPROVED, next_review_date__lt=today)
    fields = ["title", "revision", "project_id", "project__name", "next_review_date"]
    for rows in _batches(candidates, fields):
        members = _members({r["project_id"] for r in rows}, (Role.OWNER,))
        for row in rows:
            late = (today - row["next_review_date"]).days
            for user_id in members.get(row["project_id"], []):
                yield Item(
                    user_id=user_id,
                    kind=REVIEW_OVERDUE,
                    text=f"“{row['title']}” (rev. {row['revision']}) was due for review on "
                    f"{row['next_review_date'].isoformat()} ({_days(late)} ago).",
                    url=_assessment_url(row["pk"]),
                    project=row["project__name"],
                    sort=row["next_review_date"].isoformat(),
                )


RULES = (mitigations_due, reviews_waiting, acceptances_expiring, reviews_overdue)


def collect(today: datetime.date) -> dict[int, list[Item]]:
    """Every open item of every rule, by the user to remind."""
    items: dict[int, list[Item]] = {}
    for rule in RULES:
        for item in rule(today):
            items.setdefault(item.user_id, []).append(item)
    return items
