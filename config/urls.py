"""Top-level URL map: the browser app, the REST API, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api_urls
from config.health import healthz

# Django's own error answers: JSON in the API's error shape under /api/, the usual pages elsewhere.
handler400 = "assessments.rest.fallback.bad_request"
handler403 = "assessments.rest.fallback.permission_denied"
handler404 = "assessments.rest.fallback.page_not_found"
handler500 = "assessments.rest.fallback.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin signs in through Hazlog's own page, so staff get the same throttle and second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls())),
    path("", include("accounts.urls")),
    path("", include("assessments.urls")),
    path("", include("hazards.urls")),
    # Exports, imports and reminders (issue 6): each feature keeps its own URL module.
    path("", include("assessments.exports.urls")),
    path("", include("assessments.reminders.urls")),
    path("", include("hazards.imports.urls")),
    path("", include("assessments.integration_urls")),
    path("", include("evaluations.urls")),
]
