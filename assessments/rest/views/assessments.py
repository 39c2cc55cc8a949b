"""API: assessments, their workflow actions (submit, request changes, approve, start a revision, archive)
and the transitions the caller may take."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from assessments import diff, permissions, selectors, services, sync_selectors, verification
from assessments.models import Assessment
from assessments.rest import conditional
from assessments.rest.errors import ApiError
from assessments.rest.idempotency import idempotent
from assessments.rest.schema import also_returns, if_match, new_object
from assessments.rest.serializers import (
    ApproveSerializer,
    AssessmentCreateSerializer,
    AssessmentFilterSerializer,
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    DiffQuerySerializer,
    RequestChangesSerializer,
    TransitionOptionSerializer,
    VerificationSerializer,
)
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from assessments.services import workflow


@extend_schema_view(
    list=extend_schema(summary="Assessments in your projects", parameters=[AssessmentFilterSerializer]),
    retrieve=extend_schema(summary="An assessment"),
)
class AssessmentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Assessment.objects.none()
    serializer_class = AssessmentSerializer
    filter_serializer_class = AssessmentFilterSerializer

    def fetch(self, pk):
        return selectors.assessment_get(user=self.request.user, assessment_id=pk)

    def list_queryset(self, filters):
        return sync_selectors.assessment_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            status=filters.get("status", ""),
            lineage=filters.get("lineage"),
        )

    @extend_schema(summary="Create an assessment (revision 1, a draft)", request=AssessmentCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(AssessmentCreateSerializer)
        project = data.pop("project")
        self.require(permissions.can_contribute, project, "Only contributors and above can create assessments.")
        assessment = services.assessment_create(project_id=project.pk, by=request.user, via=VIA, **data)
        return self.object_response(self.current(assessment.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change an assessment's context or dates", request=AssessmentUpdateSerializer)
    def partial_update(self, request, pk=None):
        assessment = self.fetch(pk)
        self.require(permissions.can_contribute, assessment.project, "Only contributors and above can edit.")
        services.assessment_update(
            assessment_id=assessment.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, assessment),
            via=VIA,
            **self.validated(AssessmentUpdateSerializer, partial=True),
        )
        return self.object_response(self.current(assessment.pk))

    @extend_schema(
        summary="Transitions you may take now, each enabled or with the reason it is not",
        responses=TransitionOptionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def transitions(self, request, pk=None):
        assessment = self.fetch(pk)
        options = workflow.transition_options(user=request.user, assessment=assessment)
        return self.plain_response(TransitionOptionSerializer(options, many=True).data)

    @extend_schema(
        summary="What changed since another revision (default: the previous one)",
        description=(
            "Signed content is compared: an approved revision's snapshot, otherwise the live content. The body "
            "follows the `hazlog.diff/1` structure documented in assessments/diff/__init__.py: `from`, `to`, "
            "`context`, `scenarios` and `mitigations` (added, removed, changed), `acceptances` (granted, expired, "
            "revoked, changed) and `summary` counts."
        ),
        parameters=[DiffQuerySerializer],
        responses={200: OpenApiTypes.OBJECT},
    )
    @also_returns(409)
    @action(detail=True, methods=["get"], pagination_class=None)
    def diff(self, request, pk=None):
        assessment = self.fetch(pk)
        query = DiffQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        # Not 400s: the request is well formed (as the schema says); what it names is missing (404), or the
        # assessment's state gives no default to compare with (409).
        if "against" in query.validated_data:
            other = self.fetch(query.validated_data["against"])
        elif assessment.previous_id is not None:
            other = self.fetch(assessment.previous_id)
        else:
            raise ApiError(
                "Revision 1 has no previous revision; name one to compare with in `against`.",
                code="no_previous_revision",
                status_code=409,
            )
        older, newer = sorted([other, assessment], key=lambda a: a.revision)
        return self.plain_response(diff.diff_assessments(older, newer))

    @extend_schema(
        summary="Recompute the hashes of the signed content and check the approvals still count",
        responses=VerificationSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def verification(self, request, pk=None):
        assessment = self.fetch(pk)
        return self.plain_response(VerificationSerializer(verification.assessment_verify(assessment).as_dict()).data)

    @extend_schema(summary="Submit for review", request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    @if_match
    def submit(self, request, pk=None):
        assessment = self.fetch(pk)
        workflow.assessment_submit(
            assessment_id=assessment.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, assessment),
            via=VIA,
        )
        return self.object_response(self.current(assessment.pk))

    @extend_schema(summary="Request changes (reviewers)", request=RequestChangesSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    @idempotent
    @if_match
    def request_changes(self, request, pk=None):
        assessment = self.fetch(pk)
        data = self.validated(RequestChangesSerializer)
        workflow.assessment_request_changes(
            assessment_id=assessment.pk,
            by=request.user,
            comment=data["comment"],
            expected_version=conditional.expected_version(request, assessment),
            via=VIA,
        )
        return self.object_response(self.current(assessment.pk))

    @extend_schema(
        summary="Approve the submitted content (approvers); the last required approval approves the revision",
        request=ApproveSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        assessment = self.fetch(pk)
        data = self.validated(ApproveSerializer)
        workflow.assessment_approve(
            assessment_id=assessment.pk,
            by=request.user,
            comment=data.get("comment", ""),
            seen_hash=data.get("seen_hash"),
            via=VIA,
        )
        return self.object_response(self.current(assessment.pk))

    @extend_schema(
        summary="Start the next revision of an approved assessment", request=None, responses={201: AssessmentSerializer}
    )
    @action(detail=True, methods=["post"], url_path="start-revision")
    @idempotent
    @new_object
    def start_revision(self, request, pk=None):
        assessment = self.fetch(pk)
        revision = workflow.assessment_start_revision(assessment_id=assessment.pk, by=request.user, via=VIA)
        return self.object_response(self.current(revision.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Archive (owners)", request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    @if_match
    def archive(self, request, pk=None):
        assessment = self.fetch(pk)
        workflow.assessment_archive(
            assessment_id=assessment.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, assessment),
            via=VIA,
        )
        return self.object_response(self.current(assessment.pk))
