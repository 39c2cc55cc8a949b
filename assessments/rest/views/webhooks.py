"""API: webhook endpoints of a project and their delivery log (project owners only)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import permissions, sync_selectors
from assessments.models import WebhookDelivery, WebhookEndpoint
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.serializers import (
    DeliveryFilterSerializer,
    DeliverySerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookFilterSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from assessments.services import webhooks

OWNERS_ONLY = "Only project owners can see and manage webhooks."


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints of the projects you own", parameters=[WebhookFilterSerializer]),
    retrieve=extend_schema(summary="A webhook endpoint"),
)
class WebhookViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = WebhookEndpoint.objects.none()
    serializer_class = WebhookSerializer
    filter_serializer_class = WebhookFilterSerializer

    def fetch(self, pk):
        endpoint = sync_selectors.webhook_get(user=self.request.user, pk=pk)
        self.require(permissions.can_manage, endpoint.project, OWNERS_ONLY)
        return endpoint

    def list_queryset(self, filters):
        return sync_selectors.webhook_list(user=self.request.user, project_id=filters.get("project"))

    @extend_schema(
        summary="Register an endpoint; the response shows its signing secret once",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    )
    @idempotent
    def create(self, request):
        data = self.validated(WebhookCreateSerializer)
        project = data.pop("project")
        self.require(permissions.can_manage, project, OWNERS_ONLY)
        endpoint, secret = webhooks.webhook_create(project_id=project.pk, by=request.user, via=VIA, **data)
        endpoint = self.current(endpoint.pk)
        endpoint.secret = secret
        return Response(
            WebhookCreatedSerializer(endpoint).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": conditional.etag_for(endpoint)},
        )

    @extend_schema(summary="Change an endpoint (URL, events, active, secret)", request=WebhookUpdateSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self.fetch(pk)
        webhooks.webhook_update(
            webhook_id=endpoint.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, endpoint),
            via=VIA,
            **self.validated(WebhookUpdateSerializer, partial=True),
        )
        return self.object_response(self.current(endpoint.pk))

    @extend_schema(summary="Remove an endpoint and its delivery log")
    def destroy(self, request, pk=None):
        endpoint = self.fetch(pk)
        webhooks.webhook_delete(
            webhook_id=endpoint.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, endpoint),
            via=VIA,
        )
        return self.no_content()


@extend_schema_view(
    list=extend_schema(summary="Delivery log of your projects' webhooks", parameters=[DeliveryFilterSerializer]),
    retrieve=extend_schema(summary="A delivery"),
)
class DeliveryViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = WebhookDelivery.objects.none()
    serializer_class = DeliverySerializer
    filter_serializer_class = DeliveryFilterSerializer
    versioned = False
    sync_field = "created_at"

    def fetch(self, pk):
        delivery = sync_selectors.delivery_get(user=self.request.user, pk=pk)
        self.require(permissions.can_manage, delivery.endpoint.project, OWNERS_ONLY)
        return delivery

    def list_queryset(self, filters):
        return sync_selectors.delivery_list(
            user=self.request.user, endpoint_id=filters.get("webhook"), status=filters.get("status", "")
        )

    @extend_schema(summary="Send a delivery again from scratch", request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def redeliver(self, request, pk=None):
        delivery = self.fetch(pk)
        webhooks.webhook_redeliver(delivery_id=delivery.pk, by=request.user, via=VIA)
        return self.object_response(self.current(delivery.pk))
