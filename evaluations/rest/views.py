"""API: evaluation runs (create from completions or an endpoint, follow, cancel, read results), model
endpoints (owners) and the suites with their prompts. Same permissions, ETags and idempotency as the rest."""

import json

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments import permissions
from assessments import selectors as project_selectors
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.schema import also_returns
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from evaluations import selectors
from evaluations.models import EvaluationRun, ModelEndpoint
from evaluations.rest.serializers import (
    EvaluationRunSerializer,
    ModelEndpointCreateSerializer,
    ModelEndpointSerializer,
    ModelEndpointWriteSerializer,
    PromptSerializer,
    RunCreateSerializer,
    RunFilterSerializer,
    SampleSerializer,
    SuiteSerializer,
    TaskResultSerializer,
)
from evaluations.services import endpoints as endpoint_services
from evaluations.services import runs as run_services
from evaluations.suites import BUILTIN_SUITES

TASK_ID = OpenApiParameter("task_id", OpenApiTypes.STR, description="Only the samples of this task.")


@extend_schema_view(
    list=extend_schema(summary="Evaluation runs in your projects", parameters=[RunFilterSerializer]),
    retrieve=extend_schema(summary="An evaluation run, with its results per level once completed"),
)
class EvaluationRunViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = EvaluationRun.objects.none()
    serializer_class = EvaluationRunSerializer
    filter_serializer_class = RunFilterSerializer

    def fetch(self, pk):
        return selectors.run_get(user=self.request.user, run_id=pk)

    def list_queryset(self, filters):
        runs = selectors.run_list(user=self.request.user).order_by()
        for field in ("status", "source", "model_name", "model_version"):
            if field in filters:
                runs = runs.filter(**{field: filters[field]})
        if "project" in filters:
            runs = runs.filter(project_id=filters["project"])
        return runs

    @extend_schema(
        summary="Start a run from completions or a model endpoint (202: queued; poll the run)",
        request=RunCreateSerializer,
        responses={202: EvaluationRunSerializer},
    )
    @idempotent
    def create(self, request):
        data = self.validated(RunCreateSerializer)
        project = data["project"]
        self.require(permissions.can_contribute, project, run_services.CONTRIBUTORS_ONLY)
        suite = {
            "suite_key": data["suite"],
            "suite_version": data.get("suite_version") or None,
            "seed": data.get("seed", 0),
            "tasks_per_level": data.get("tasks_per_level"),
            "custom_suite_id": data["custom_suite"].pk if data.get("custom_suite") else None,
        }
        if data.get("endpoint"):
            run = run_services.run_create_from_endpoint(
                project_id=project.pk,
                by=request.user,
                endpoint_id=data["endpoint"].pk,
                model_version=data.get("model_version", ""),
                via=VIA,
                **suite,
            )
        else:
            # One parser for every way completions arrive: the API's list goes through the file reader.
            lines = "\n".join(json.dumps(item) for item in data["completions"]).encode()
            run = run_services.run_create_from_upload(
                project_id=project.pk,
                by=request.user,
                model_name=data["model_name"],
                model_version=data.get("model_version", ""),
                completions=lines,
                via=VIA,
                **suite,
            )
        return self.object_response(self.current(run.pk), status_code=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Ask a run to stop; it keeps what it finished", request=None)
    @action(detail=True, methods=["post"])
    @also_returns(409)
    @idempotent
    def cancel(self, request, pk=None):
        run = self.fetch(pk)
        self.require(permissions.can_contribute, run.project, run_services.CONTRIBUTORS_ONLY)
        run_services.run_cancel(run_id=run.pk, by=request.user, via=VIA)
        return self.object_response(self.current(run.pk))

    @extend_schema(summary="Results per task of a run", responses=TaskResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def tasks(self, request, pk=None):
        run = self.fetch(pk)
        return Response(TaskResultSerializer(selectors.task_results(run=run), many=True).data)

    @extend_schema(
        summary="The samples of one task: completions, outcomes, findings",
        parameters=[TASK_ID],
        responses=SampleSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    @also_returns(400)
    def samples(self, request, pk=None):
        run = self.fetch(pk)
        task_id = request.query_params.get("task_id", "")
        if not task_id or len(task_id) > 200:
            raise ValidationError({"task_id": ["Name the task (task_id) whose samples you want."]})
        samples = selectors.sample_list(run=run, task_id=task_id)
        return Response(SampleSerializer(samples, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Model endpoints of your projects"),
    retrieve=extend_schema(summary="A model endpoint (its key is never returned)"),
)
class ModelEndpointViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = ModelEndpoint.objects.none()
    serializer_class = ModelEndpointSerializer

    def fetch(self, pk):
        return selectors.endpoint_get(user=self.request.user, endpoint_id=pk)

    def list_queryset(self, filters):
        return ModelEndpoint.objects.filter(project__memberships__user=self.request.user).order_by()

    @extend_schema(summary="Add a model endpoint (owners)", request=ModelEndpointCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(ModelEndpointCreateSerializer)
        project = data.pop("project")
        self.require(permissions.can_manage, project, endpoint_services.OWNERS_ONLY)
        endpoint = endpoint_services.endpoint_create(project_id=project.pk, by=request.user, via=VIA, **data)
        return self.object_response(self.current(endpoint.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a model endpoint or replace its key (owners)", request=ModelEndpointWriteSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self.fetch(pk)
        self.require(permissions.can_manage, endpoint.project, endpoint_services.OWNERS_ONLY)
        endpoint_services.endpoint_update(
            endpoint_id=endpoint.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, endpoint),
            via=VIA,
            **self.validated(ModelEndpointWriteSerializer, partial=True),
        )
        return self.object_response(self.current(endpoint.pk))

    @extend_schema(summary="Remove a model endpoint (owners); its runs keep their results")
    def destroy(self, request, pk=None):
        endpoint = self.fetch(pk)
        self.require(permissions.can_manage, endpoint.project, endpoint_services.OWNERS_ONLY)
        endpoint_services.endpoint_delete(
            endpoint_id=endpoint.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, endpoint),
            via=VIA,
        )
        return self.no_content()


SUITE_PARAMETERS = [
    OpenApiParameter("version", OpenApiTypes.STR, description="Empty: the newest."),
    OpenApiParameter("seed", OpenApiTypes.INT),
    OpenApiParameter("tasks_per_level", OpenApiTypes.INT),
    OpenApiParameter("project", OpenApiTypes.INT, required=True, description="A project of yours."),
]


class EvaluationSuiteViewSet(ApiViewSet):
    """The built-in suites (data in the repository, versioned) and the prompts of an exact task set."""

    versioned = False
    lookup_value_regex = "[a-z][a-z0-9-]{0,39}"
    serializer_class = SuiteSerializer
    pagination_class = None

    @extend_schema(summary="The built-in evaluation suites", responses=SuiteSerializer(many=True))
    def list(self, request):
        return Response(SuiteSerializer(list(BUILTIN_SUITES.values()), many=True).data)

    @extend_schema(
        summary="The prompts of a task set, to generate completions with your own harness",
        parameters=SUITE_PARAMETERS,
        responses=PromptSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    @also_returns(400)
    def prompts(self, request, pk=None):
        if pk not in BUILTIN_SUITES:
            raise Http404("No such suite.")
        params = request.query_params
        try:
            project = project_selectors.project_get(user=request.user, project_id=int(params.get("project", "")))
        except ValueError:
            raise ValidationError({"project": ["Give the id of a project of yours."]}) from None
        task_set = run_services.resolve_task_set(
            project=project,
            suite_key=pk,
            suite_version=params.get("version") or None,
            seed=_int_or_text(params.get("seed", "0")),
            tasks_per_level=_int_or_text(params.get("tasks_per_level", "")),
        )
        return Response(PromptSerializer(task_set["tasks"], many=True).data)


def _int_or_text(value: str):
    """An int where the text is one; the text otherwise, which the service refuses by name."""
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        return value
