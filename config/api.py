"""The one DRF router of the REST API, mounted at /api/v1/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
