"""The one DRF router of the REST API, mounted at /api/v1/."""

from rest_framework.routers import DefaultRouter

from assessments.exports.api import ExportJobViewSet

router = DefaultRouter()
router.register("exports", ExportJobViewSet, basename="export")
