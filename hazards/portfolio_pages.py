"""The portfolio's inputs: what its page body and API answer show, read in one statement (assessments.page_cache).

For a manager of 100 projects, building and rendering the portfolio (100 assessments with their matrices,
50 overdue mitigations, the heat map, the filters' choices) costs a hundred times what reading its inputs
does: the user's tracked assessments with their content counters and every column the page shows of them,
the user's projects and colleagues (the filters' choices). The answer is cached under their digest, the
user and the query string. The rows it lists come from the assessments' content, which `content_seq`
guards; the names of the people they show are checked on each hit by page_cache.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from assessments import page_cache, workflow
from assessments.models import Assessment, Project
from hazards.selectors import visible_to


def _assessments(user: User | int) -> QuerySet:
    tracked = Assessment.objects.filter(visible_to(user, prefix=""), status__in=workflow.TRACKING_STATUSES)
    shown = ["status", "title", "revision", "due_date", "next_review_date", "project_id", "project__name"]
    return tracked.values_list("pk", "content_seq", *shown)


def projects(user: User | int) -> QuerySet:
    """The user's projects as (id, name), by name: the project filter's choices."""
    return Project.objects.filter(memberships__user=user).order_by("name", "pk").values_list("pk", "name")


def colleagues(user: User | int) -> QuerySet:
    """Active members of any of the user's projects as (id, username): the owner filter's choices."""
    return (
        User.objects.filter(memberships__project__memberships__user=user, is_active=True)
        .distinct()
        .order_by("username")
        .values_list("pk", "username")
    )


_fingerprint = page_cache.Fingerprint(lambda user_id: [_assessments(user_id), projects(user_id), colleagues(user_id)])


def key(*, user: User, part: str, query_string: str) -> str:
    """The cache key of the portfolio's `part` ("page", "api": each renders the same inputs) for this request."""
    return page_cache.key(f"portfolio-{part}", user.pk, query_string, _fingerprint(user.pk))
