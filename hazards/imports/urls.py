"""URLs of the import wizard."""

from django.urls import path

from hazards.imports import views

urlpatterns = [
    path("projects/<int:project_id>/import/", views.import_start, name="import_start"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/values/", views.import_values, name="import_values"),
    path("imports/<int:job_id>/apply/", views.import_apply, name="import_apply"),
]
