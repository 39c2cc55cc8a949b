"""The one DRF router of the REST API, mounted at /api/v1/, with the OpenAPI schema and its docs page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from assessments.exports.api import ExportJobViewSet
from assessments.rest.docs import ApiDocsView
from assessments.rest.fallback import unknown_endpoint
from assessments.rest.views.assessments import AssessmentViewSet
from assessments.rest.views.events import EventViewSet
from assessments.rest.views.projects import MembershipViewSet, ProjectViewSet
from assessments.rest.views.webhooks import DeliveryViewSet, WebhookViewSet
from evaluations.rest.views import EvaluationRunViewSet, EvaluationSuiteViewSet, ModelEndpointViewSet
from hazards.rest.portfolio import PortfolioViewSet
from hazards.rest.views.attachments import AttachmentViewSet
from hazards.rest.views.catalogue import CatalogueViewSet
from hazards.rest.views.evidence import CitationViewSet
from hazards.rest.views.register import ConsequenceViewSet, HazardViewSet, MitigationViewSet
from hazards.rest.views.review import AcceptanceViewSet, CommentViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("consequences", ConsequenceViewSet, basename="consequence")
router.register("mitigations", MitigationViewSet, basename="mitigation")
router.register("risk-acceptances", AcceptanceViewSet, basename="risk-acceptance")
router.register("comments", CommentViewSet, basename="comment")
router.register("events", EventViewSet, basename="event")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")
router.register("exports", ExportJobViewSet, basename="export")
router.register("evaluation-runs", EvaluationRunViewSet, basename="evaluation-run")
router.register("evaluation-suites", EvaluationSuiteViewSet, basename="evaluation-suite")
router.register("model-endpoints", ModelEndpointViewSet, basename="model-endpoint")
router.register("evidence-citations", CitationViewSet, basename="evidence-citation")
router.register("attachments", AttachmentViewSet, basename="attachment")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # One summary, not a collection: a plain route rather than a router's list.
    path("portfolio/", PortfolioViewSet.as_view({"get": "summary"}), name="portfolio-summary"),
]


def api_urls():
    """Read at URL-conf load, after every module has had the chance to register its viewsets."""
    # Last: any other path under /api/v1/ is a 404 in the API's error shape, not Django's HTML page; [\s\S] so
    # that a path with a newline in it (an id of "1%0A") matches too.
    return [*urlpatterns, *router.urls, re_path(r"^[\s\S]*$", unknown_endpoint)]
