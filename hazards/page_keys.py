"""What the assessment's cached fragments show: the cache keys of the heat map and the register
(assessments.page_cache has the rules).

Both show the assessment's content, guarded by its `content_seq`, and its own columns, guarded by its
`version` (every change of the row goes through save_versioned); what the user may do follows from their
role and the assessment's status (the capabilities). The register also shows the project's members (the
owner filter and pickers) and, per scenario, whether its cited evaluation runs are stale: those rows are
read in one statement. A run growing too old is a moment, not a change: `evidence_ends` gives it.
"""

import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from assessments import page_cache
from assessments.models import Assessment
from evaluations import freshness
from evaluations.models import EvaluationRun


def heatmap(*, user: User, assessment: Assessment, can_manage: bool, query_string: str) -> str:
    return page_cache.key(
        "heatmap", user.pk, assessment.pk, assessment.version, assessment.content_seq, can_manage, query_string
    )


def _members(project_id: int) -> QuerySet:
    return User.objects.filter(memberships__project_id=project_id).values_list("pk", "username", "is_active")


def _cited_runs(assessment_id: int) -> QuerySet:
    # Every field evaluations.freshness reads of a run, and its ref.
    return (
        EvaluationRun.objects.filter(citations__scenario__assessment_id=assessment_id)
        .distinct()
        .values_list("pk", "number", "status", "model_name", "model_version", "finished_at", "created_at")
    )


_register_rows = page_cache.Fingerprint(lambda project, assessment: [_members(project), _cited_runs(assessment)])


def register(*, user: User, assessment: Assessment, caps, query_string: str) -> str:
    project = assessment.project
    return page_cache.key(
        "register",
        user.pk,
        assessment.pk,
        assessment.version,
        assessment.content_seq,
        project.evidence_max_age_days,
        caps,
        query_string,
        _register_rows(project.pk, assessment.pk),
    )


def evidence_ends(assessment: Assessment) -> datetime.datetime | None:
    """The next moment a cited run becomes too old for the assessment: the register changes then."""
    runs = EvaluationRun.objects.filter(citations__scenario__assessment=assessment).only("finished_at", "created_at")
    now = timezone.now()
    ends = [moment for run in runs if (moment := freshness.too_old_from(run, assessment)) and moment > now]
    return min(ends, default=None)
