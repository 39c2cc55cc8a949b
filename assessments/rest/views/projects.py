"""API: projects and their members."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status

from assessments import permissions, selectors, services, sync_selectors
from assessments.models import Membership, Project
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.serializers import (
    MembershipCreateSerializer,
    MembershipFilterSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin


@extend_schema_view(
    list=extend_schema(summary="Your projects"),
    retrieve=extend_schema(summary="A project"),
)
class ProjectViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Project.objects.none()
    serializer_class = ProjectSerializer

    def fetch(self, pk):
        return selectors.project_get(user=self.request.user, project_id=pk)

    def list_queryset(self, filters):
        return sync_selectors.project_sync_list(user=self.request.user)

    @extend_schema(summary="Create a project (you become its owner)", request=ProjectWriteSerializer)
    @idempotent
    def create(self, request):
        project = services.project_create(by=request.user, via=VIA, **self.validated(ProjectWriteSerializer))
        return self.object_response(self.current(project.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a project's settings (owners)", request=ProjectWriteSerializer)
    def partial_update(self, request, pk=None):
        project = self.fetch(pk)
        self.require(permissions.can_manage, project, "Only project owners can change project settings.")
        services.project_update(
            project_id=project.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, project),
            via=VIA,
            **self.validated(ProjectWriteSerializer, partial=True),
        )
        return self.object_response(self.current(project.pk))


@extend_schema_view(
    list=extend_schema(summary="Members of your projects", parameters=[MembershipFilterSerializer]),
    retrieve=extend_schema(summary="A membership"),
)
class MembershipViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    filter_serializer_class = MembershipFilterSerializer

    def fetch(self, pk):
        return sync_selectors.membership_get(user=self.request.user, pk=pk)

    def list_queryset(self, filters):
        return sync_selectors.membership_sync_list(
            user=self.request.user, project_id=filters.get("project"), role=filters.get("role", "")
        )

    @extend_schema(summary="Add a member (owners)", request=MembershipCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(MembershipCreateSerializer)
        membership = services.membership_add(
            project_id=data["project"].pk, by=request.user, user=data["user"], role=data["role"], via=VIA
        )
        return self.object_response(self.current(membership.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a member's role (owners)", request=MembershipUpdateSerializer)
    def partial_update(self, request, pk=None):
        membership = self.fetch(pk)
        self.require(permissions.can_manage, membership.project, "Only project owners can change roles.")
        data = self.validated(MembershipUpdateSerializer, partial=True)
        if "role" in data:
            services.membership_change_role(
                membership_id=membership.pk,
                by=request.user,
                role=data["role"],
                expected_version=conditional.expected_version(request, membership),
                via=VIA,
            )
        return self.object_response(self.current(membership.pk))

    @extend_schema(summary="Remove a member (owners)")
    def destroy(self, request, pk=None):
        membership = self.fetch(pk)
        self.require(permissions.can_manage, membership.project, "Only project owners can remove members.")
        services.membership_remove(
            membership_id=membership.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, membership),
            via=VIA,
        )
        return self.no_content()
