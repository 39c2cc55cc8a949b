"""API: the register — hazards (scenarios), their consequences, and mitigations (also found by ticket key)."""

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action

from assessments import permissions
from assessments.precompiled import PrecompiledQuery
from assessments.rest import conditional
from assessments.rest.errors import ApiError
from assessments.rest.fields import UsernameField
from assessments.rest.idempotency import idempotent
from assessments.rest.schema import also_returns
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from hazards import selectors, services, sync_selectors
from hazards.models import Consequence, HazardScenario, Mitigation
from hazards.rest.serializers import (
    HAZARD_PROJECTION,
    MITIGATION_PROJECTION,
    ConsequenceCreateSerializer,
    ConsequenceFilterSerializer,
    ConsequenceSerializer,
    ConsequenceUpdateSerializer,
    HazardCreateSerializer,
    HazardFilterSerializer,
    HazardSerializer,
    HazardUpdateSerializer,
    MitigationCreateSerializer,
    MitigationFilterSerializer,
    MitigationSerializer,
    MitigationUpdateSerializer,
    TicketQuerySerializer,
)

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change the register."


def _row_query(projection, sync_list) -> PrecompiledQuery:
    """One object of a sync list by id, as its projection reads it: compiled once, since the scope has the same
    shape for every user (hazards.selectors.visible_to: the user's memberships) and only the ids change."""
    return PrecompiledQuery(
        lambda user_id, pk: projection.values(sync_list(user=User(pk=user_id)).filter(pk=pk))[:1], types=(int, int)
    )


def _owner(filters: dict):
    """The owner filter by username; a name that is nobody gives an empty list, not an error."""
    name = filters.get("owner")
    if not name:
        return None
    try:
        return UsernameField().to_internal_value(name)
    except serializers.ValidationError:
        return False


@extend_schema_view(
    list=extend_schema(summary="Hazard scenarios in your projects", parameters=[HazardFilterSerializer]),
    retrieve=extend_schema(summary="A hazard scenario"),
)
class HazardViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = HazardScenario.objects.none()
    serializer_class = HazardSerializer
    filter_serializer_class = HazardFilterSerializer
    projection = HAZARD_PROJECTION
    row_query = _row_query(HAZARD_PROJECTION, sync_selectors.hazard_sync_list)

    def fetch(self, pk):
        return selectors.hazard_get(user=self.request.user, hazard_id=pk)

    def list_queryset(self, filters):
        owner = _owner(filters)
        if owner is False:
            return HazardScenario.objects.none()
        return sync_selectors.hazard_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            category=filters.get("category", ""),
            treatment=filters.get("treatment", ""),
            owner=owner,
            risk_level=filters.get("risk_level", ""),
        )

    @extend_schema(summary="Add a hazard scenario to a draft", request=HazardCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(HazardCreateSerializer)
        assessment = data.pop("assessment")
        self.require(permissions.can_contribute, assessment.project, CONTRIBUTORS_ONLY)
        hazard = services.hazard_create(assessment_id=assessment.pk, by=request.user, via=VIA, **data)
        return self.object_response(self.current(hazard.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a hazard scenario", request=HazardUpdateSerializer)
    def partial_update(self, request, pk=None):
        hazard = self.fetch(pk)
        self.require(permissions.can_contribute, hazard.assessment.project, CONTRIBUTORS_ONLY)
        services.hazard_update(
            hazard_id=hazard.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, hazard),
            via=VIA,
            **self.validated(HazardUpdateSerializer, partial=True),
        )
        return self.object_response(self.current(hazard.pk))

    @extend_schema(summary="Delete a hazard scenario (with its consequences)")
    def destroy(self, request, pk=None):
        hazard = self.fetch(pk)
        self.require(permissions.can_contribute, hazard.assessment.project, CONTRIBUTORS_ONLY)
        services.hazard_delete(
            hazard_id=hazard.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, hazard),
            via=VIA,
        )
        return self.no_content()


@extend_schema_view(
    list=extend_schema(summary="Consequences in your projects", parameters=[ConsequenceFilterSerializer]),
    retrieve=extend_schema(summary="A consequence"),
)
class ConsequenceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Consequence.objects.none()
    serializer_class = ConsequenceSerializer
    filter_serializer_class = ConsequenceFilterSerializer

    def fetch(self, pk):
        return selectors.consequence_get(user=self.request.user, consequence_id=pk)

    def list_queryset(self, filters):
        return sync_selectors.consequence_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            hazard_id=filters.get("hazard"),
        )

    @extend_schema(summary="Add a consequence to a hazard", request=ConsequenceCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(ConsequenceCreateSerializer)
        hazard = data.pop("hazard")
        self.require(permissions.can_contribute, hazard.assessment.project, CONTRIBUTORS_ONLY)
        consequence = services.consequence_create(hazard_id=hazard.pk, by=request.user, via=VIA, **data)
        return self.object_response(self.current(consequence.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a consequence", request=ConsequenceUpdateSerializer)
    def partial_update(self, request, pk=None):
        consequence = self.fetch(pk)
        self.require(permissions.can_contribute, consequence.scenario.assessment.project, CONTRIBUTORS_ONLY)
        services.consequence_update(
            consequence_id=consequence.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, consequence),
            via=VIA,
            **self.validated(ConsequenceUpdateSerializer, partial=True),
        )
        return self.object_response(self.current(consequence.pk))

    @extend_schema(summary="Delete a consequence")
    def destroy(self, request, pk=None):
        consequence = self.fetch(pk)
        self.require(permissions.can_contribute, consequence.scenario.assessment.project, CONTRIBUTORS_ONLY)
        services.consequence_delete(
            consequence_id=consequence.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, consequence),
            via=VIA,
        )
        return self.no_content()


TICKET_PARAMETERS = [TicketQuerySerializer]


@extend_schema_view(
    list=extend_schema(summary="Mitigations in your projects", parameters=[MitigationFilterSerializer]),
    retrieve=extend_schema(summary="A mitigation"),
)
class MitigationViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Mitigation.objects.none()
    serializer_class = MitigationSerializer
    filter_serializer_class = MitigationFilterSerializer
    projection = MITIGATION_PROJECTION
    row_query = _row_query(MITIGATION_PROJECTION, sync_selectors.mitigation_sync_list)
    error_field_map = {"scenarios": "hazards"}

    def fetch(self, pk):
        return sync_selectors.mitigation_with_links(user=self.request.user, mitigation_id=pk)

    def list_queryset(self, filters):
        owner = _owner(filters)
        if owner is False:
            return Mitigation.objects.none()
        return sync_selectors.mitigation_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            status=filters.get("status", ""),
            owner=owner,
            external_system=filters.get("external_system", ""),
            external_key=filters.get("external_key", ""),
            hazard_id=filters.get("hazard"),
        )

    @extend_schema(summary="Add a mitigation to a draft", request=MitigationCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(MitigationCreateSerializer)
        assessment = data.pop("assessment")
        self.require(permissions.can_contribute, assessment.project, CONTRIBUTORS_ONLY)
        mitigation = services.mitigation_create(
            assessment_id=assessment.pk, by=request.user, via=VIA, hazard_ids=data.pop("hazards", ()), **data
        )
        return self.object_response(self.current(mitigation.pk), status_code=status.HTTP_201_CREATED)

    def _edit(self, request, mitigation):
        self.require(permissions.can_contribute, mitigation.assessment.project, CONTRIBUTORS_ONLY)
        data = self.validated(MitigationUpdateSerializer, partial=True)
        services.mitigation_edit(
            mitigation_id=mitigation.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, mitigation),
            hazard_ids=data.pop("hazards", None),
            via=VIA,
            **data,
        )
        return self.object_response(self.current(mitigation.pk))

    @extend_schema(
        summary="Change a mitigation; progress fields (status, owner, due date, ticket) also after sign-off",
        request=MitigationUpdateSerializer,
    )
    def partial_update(self, request, pk=None):
        return self._edit(request, self.fetch(pk))

    @extend_schema(summary="Delete a mitigation")
    def destroy(self, request, pk=None):
        mitigation = self.fetch(pk)
        self.require(permissions.can_contribute, mitigation.assessment.project, CONTRIBUTORS_ONLY)
        services.mitigation_delete(
            mitigation_id=mitigation.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, mitigation),
            via=VIA,
        )
        return self.no_content()

    def _by_ticket(self, request):
        query = TicketQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        system, key = query.validated_data["external_system"], query.validated_data["external_key"]
        try:
            return sync_selectors.mitigation_by_ticket(
                user=request.user,
                external_system=system,
                external_key=key,
                assessment_id=query.validated_data.get("assessment"),
            )
        except sync_selectors.AmbiguousTicket as exc:
            places = ", ".join(f"{m.ref} in assessment {m.assessment_id}" for m in exc.candidates)
            raise ApiError(
                f"{system} {key} is linked to several live mitigations ({places}); add ?assessment=<id>.",
                code="ambiguous_ticket",
                status_code=409,
            ) from None

    @extend_schema(
        summary="The mitigation linked to a ticket", parameters=TICKET_PARAMETERS, responses=MitigationSerializer
    )
    @action(detail=False, methods=["get"], url_path="by-ticket")
    @also_returns(404, 409)
    def by_ticket(self, request):
        mitigation = self._by_ticket(request)
        if conditional.not_modified(request, mitigation):
            return self.not_modified(mitigation)
        return self.object_response(mitigation)

    @extend_schema(
        summary="Change the mitigation linked to a ticket",
        parameters=TICKET_PARAMETERS,
        request=MitigationUpdateSerializer,
        responses=MitigationSerializer,
    )
    @by_ticket.mapping.patch
    @also_returns(404, 409)
    def by_ticket_update(self, request):
        return self._edit(request, self._by_ticket(request))
