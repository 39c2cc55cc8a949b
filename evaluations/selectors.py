"""Every read of evaluations, scoped to the user's projects: anything else is a 404, so ids don't leak."""

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from evaluations.models import CustomSuite, EvaluationRun, ModelEndpoint, Sample


def _mine(user: User, prefix: str = "project__") -> Q:
    return Q(**{f"{prefix}memberships__user": user})


def _get(queryset: QuerySet, user: User, pk, what: str):
    if not user.is_authenticated:
        raise Http404(f"No such {what}.")
    try:
        return queryset.filter(_mine(user)).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}.") from None


def run_list(*, user: User, project=None) -> QuerySet[EvaluationRun]:
    if not user.is_authenticated:
        return EvaluationRun.objects.none()
    runs = EvaluationRun.objects.filter(_mine(user)).select_related("project", "custom_suite", "created_by")
    if project is not None:
        runs = runs.filter(project=project)
    return runs.order_by("project__name", "-number")


def run_get(*, user: User, run_id) -> EvaluationRun:
    return _get(
        EvaluationRun.objects.select_related("project", "custom_suite", "endpoint", "created_by"), user, run_id, "run"
    )


def task_results(*, run: EvaluationRun) -> list[dict]:
    """One row per task: its level, samples, passes and failure counts, in one grouped query."""
    rows = (
        Sample.objects.filter(run=run)
        .values("task_id", "level")
        .annotate(
            samples=Count("pk"),
            passed=Count("pk", filter=Q(outcome="passed")),
            with_findings=Count("pk", filter=Q(finding_count__gt=0)),
        )
        .order_by("level", "task_id")
    )
    return list(rows)


def sample_list(*, run: EvaluationRun, task_id: str) -> QuerySet[Sample]:
    return Sample.objects.filter(run=run, task_id=task_id).order_by("index")


def endpoint_list(*, user: User, project) -> QuerySet[ModelEndpoint]:
    return ModelEndpoint.objects.filter(_mine(user), project=project).order_by("name")


def endpoint_get(*, user: User, endpoint_id) -> ModelEndpoint:
    return _get(ModelEndpoint.objects.select_related("project"), user, endpoint_id, "endpoint")


def custom_suite_list(*, user: User, project) -> QuerySet[CustomSuite]:
    return CustomSuite.objects.filter(_mine(user), project=project).order_by("name")


def custom_suite_get(*, user: User, suite_id) -> CustomSuite:
    return _get(CustomSuite.objects.select_related("project"), user, suite_id, "suite")
