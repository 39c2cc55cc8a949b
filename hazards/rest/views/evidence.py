"""API: scenarios citing evaluation results, and accepting the likelihood the evidence suggests."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from assessments import permissions
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.schema import also_returns
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from hazards import services
from hazards.models import EvidenceCitation
from hazards.rest.evidence import (
    AcceptSuggestionSerializer,
    CitationCreateSerializer,
    CitationFilterSerializer,
    CitationSerializer,
)
from hazards.rest.serializers import HazardSerializer
from hazards.selectors import hazard_get, visible_to

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change the register."


@extend_schema_view(
    list=extend_schema(summary="Evidence citations in your projects", parameters=[CitationFilterSerializer]),
    retrieve=extend_schema(summary="A citation with why it is stale and the likelihood it suggests"),
)
class CitationViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = EvidenceCitation.objects.none()
    serializer_class = CitationSerializer
    filter_serializer_class = CitationFilterSerializer
    sync_field = "created_at"  # citations are never edited: replaced by removing and citing again

    def _visible(self):
        return EvidenceCitation.objects.filter(visible_to(self.request.user, "scenario__assessment__")).select_related(
            "run", "scenario__assessment__project", "created_by"
        )

    def fetch(self, pk):
        citation = self._visible().filter(pk=pk).first()
        if citation is None:
            raise Http404("No such citation.")
        return citation

    def list_queryset(self, filters):
        citations = self._visible().order_by()
        for key, field in (
            ("project", "scenario__assessment__project_id"),
            ("assessment", "scenario__assessment_id"),
            ("hazard", "scenario_id"),
            ("run", "run_id"),
        ):
            if key in filters:
                citations = citations.filter(**{field: filters[key]})
        return citations

    @extend_schema(summary="Cite an evaluation run as evidence for a hazard", request=CitationCreateSerializer)
    @idempotent
    def create(self, request):
        data = self.validated(CitationCreateSerializer)
        hazard, run = data.pop("hazard"), data.pop("run")
        self.require(permissions.can_contribute, hazard.assessment.project, CONTRIBUTORS_ONLY)
        citation = services.citation_create(hazard_id=hazard.pk, by=request.user, run_id=run.pk, via=VIA, **data)
        return self.object_response(self.current(citation.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a citation")
    def destroy(self, request, pk=None):
        citation = self.fetch(pk)
        self.require(permissions.can_contribute, citation.scenario.assessment.project, CONTRIBUTORS_ONLY)
        services.citation_delete(citation_id=citation.pk, by=request.user, via=VIA)
        return self.no_content()

    @extend_schema(
        summary="Set the hazard's likelihood to the suggestion (If-Match: the hazard's ETag); an audited edit",
        request=AcceptSuggestionSerializer,
        responses=HazardSerializer,
    )
    @action(detail=True, methods=["post"], url_path="accept-suggestion")
    @also_returns(409, 412)
    @idempotent
    def accept_suggestion(self, request, pk=None):
        citation = self.fetch(pk)
        self.require(permissions.can_contribute, citation.scenario.assessment.project, CONTRIBUTORS_ONLY)
        stage = self.validated(AcceptSuggestionSerializer)["stage"]
        scenario = services.suggestion_accept(
            citation_id=citation.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, citation.scenario),
            stage=stage,
            via=VIA,
        )
        hazard = hazard_get(user=request.user, hazard_id=scenario.pk)
        response = self.plain_response(HazardSerializer(hazard, context=self.get_serializer_context()).data)
        response["ETag"] = conditional.etag_for(hazard)
        return response
