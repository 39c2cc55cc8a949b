"""Top-level URL map: the browser app, the REST API, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from config.api import api_urls
from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls())),
    path("", include("assessments.urls")),
    path("", include("hazards.urls")),
    # Exports, imports and reminders (issue 6): each feature keeps its own URL module.
    path("", include("assessments.exports.urls")),
    path("", include("assessments.reminders.urls")),
    path("", include("hazards.imports.urls")),
    path("", include("assessments.integration_urls")),
    path("", include("evaluations.urls")),
]
