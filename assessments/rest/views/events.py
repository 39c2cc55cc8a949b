"""API: the audit events feed, read-only; how a sync client learns about deletions and decisions."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from assessments import sync_selectors
from assessments.models import AuditEvent
from assessments.rest import representations
from assessments.rest.serializers import EventFilterSerializer, EventSerializer
from assessments.rest.viewsets import ApiViewSet, ListMixin, RetrieveMixin


@extend_schema_view(
    list=extend_schema(
        summary="Audit events of your projects, oldest first (filter by action to see deletions)",
        parameters=[EventFilterSerializer],
    ),
    retrieve=extend_schema(summary="An audit event"),
)
class EventViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = AuditEvent.objects.none()
    serializer_class = EventSerializer
    filter_serializer_class = EventFilterSerializer
    versioned = False
    sync_field = "created_at"

    def fetch(self, pk):
        return sync_selectors.event_get(user=self.request.user, pk=pk)

    def list_queryset(self, filters):
        return sync_selectors.event_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            object_type=representations.MODEL_NAMES.get(filters.get("object_type", ""), ""),
            object_id=filters.get("object_id"),
            actions=filters["action"].split(",") if filters.get("action") else None,
        )
