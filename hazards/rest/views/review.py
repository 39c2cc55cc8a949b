"""API: risk acceptances (granted and revoked by approvers) and comments."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from assessments import permissions
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.schema import if_match
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from hazards import services, sync_selectors
from hazards.models import Comment, RiskAcceptance
from hazards.rest.serializers import (
    AcceptanceCreateSerializer,
    AcceptanceFilterSerializer,
    AcceptanceRevokeSerializer,
    AcceptanceSerializer,
    CommentCreateSerializer,
    CommentFilterSerializer,
    CommentSerializer,
)

APPROVERS_ONLY = "Only approvers and owners can accept or revoke risk."


@extend_schema_view(
    list=extend_schema(summary="Risk acceptances in your projects", parameters=[AcceptanceFilterSerializer]),
    retrieve=extend_schema(summary="A risk acceptance"),
)
class AcceptanceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = RiskAcceptance.objects.none()
    serializer_class = AcceptanceSerializer
    filter_serializer_class = AcceptanceFilterSerializer

    def fetch(self, pk):
        return sync_selectors.acceptance_get(user=self.request.user, acceptance_id=pk)

    def list_queryset(self, filters):
        return sync_selectors.acceptance_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            hazard_id=filters.get("hazard"),
            active=filters.get("active"),
            today=timezone.localdate(),
        )

    @extend_schema(
        summary="Accept a hazard's residual risk until a date (approvers)", request=AcceptanceCreateSerializer
    )
    @idempotent
    def create(self, request):
        data = self.validated(AcceptanceCreateSerializer)
        hazard = data.pop("hazard")
        self.require(permissions.can_accept_risk, hazard.assessment.project, APPROVERS_ONLY)
        acceptance = services.acceptance_grant(hazard_id=hazard.pk, by=request.user, via=VIA, **data)
        return self.object_response(self.current(acceptance.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke an acceptance (approvers)", request=AcceptanceRevokeSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    @if_match
    def revoke(self, request, pk=None):
        acceptance = self.fetch(pk)
        self.require(permissions.can_accept_risk, acceptance.scenario.assessment.project, APPROVERS_ONLY)
        services.acceptance_revoke(
            acceptance_id=acceptance.pk,
            by=request.user,
            reason=self.validated(AcceptanceRevokeSerializer)["reason"],
            expected_version=conditional.expected_version(request, acceptance),
            via=VIA,
        )
        return self.object_response(self.current(acceptance.pk))


@extend_schema_view(
    list=extend_schema(summary="Comments in your projects", parameters=[CommentFilterSerializer]),
    retrieve=extend_schema(summary="A comment"),
)
class CommentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Comment.objects.none()
    serializer_class = CommentSerializer
    filter_serializer_class = CommentFilterSerializer
    versioned = False  # comments are never edited

    def fetch(self, pk):
        return sync_selectors.comment_get(user=self.request.user, comment_id=pk)

    def list_queryset(self, filters):
        return sync_selectors.comment_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            hazard_id=filters.get("hazard"),
        )

    @extend_schema(summary="Comment on an assessment or one of its hazards", request=CommentCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(CommentCreateSerializer)
        assessment, hazard = data["assessment"], data.get("hazard")
        self.require(permissions.can_comment, assessment.project, "Viewers can read comments but not write them.")
        comment = services.comment_create(
            assessment_id=assessment.pk,
            hazard_id=hazard.pk if hazard is not None else None,
            by=request.user,
            body=data["body"],
            via=VIA,
        )
        return self.object_response(self.current(comment.pk), status_code=status.HTTP_201_CREATED)
