"""API: the hazard catalogue (read-only reference data) and instantiating templates into an assessment."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from assessments import permissions
from assessments.rest.idempotency import idempotent
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from hazards import selectors, services, sync_selectors
from hazards.models import HazardTemplate
from hazards.rest.serializers import (
    HazardSerializer,
    InstantiateSerializer,
    TemplateFilterSerializer,
    TemplateSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Templates of the hazard catalogue", parameters=[TemplateFilterSerializer]),
    retrieve=extend_schema(summary="A template"),
)
class CatalogueViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = HazardTemplate.objects.none()
    serializer_class = TemplateSerializer
    filter_serializer_class = TemplateFilterSerializer
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9._-]{1,20}"
    versioned = False

    def fetch(self, pk):
        return sync_selectors.template_get(key=pk)

    def list_queryset(self, filters):
        return selectors.template_list(area=filters.get("area", ""), q=filters.get("q", ""))

    @extend_schema(
        summary="Add one hazard per template (with consequences and suggested mitigations) to a draft",
        request=InstantiateSerializer,
        responses={201: HazardSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    @idempotent
    def instantiate(self, request):
        data = self.validated(InstantiateSerializer)
        assessment = data["assessment"]
        self.require(
            permissions.can_contribute, assessment.project, "Only contributors and above can change the register."
        )
        created = services.hazards_from_templates(
            assessment_id=assessment.pk, template_keys=data["templates"], by=request.user, via=VIA
        )
        hazards = sync_selectors.hazard_sync_list(user=request.user, assessment_id=assessment.pk).filter(
            pk__in=[h.pk for h in created]
        )
        return self.plain_response(
            HazardSerializer(hazards.order_by("number"), many=True).data, status_code=status.HTTP_201_CREATED
        )
