"""URLs of the export panel, job progress and downloads."""

from django.urls import path

from assessments.exports import views

urlpatterns = [
    path("assessments/<int:assessment_id>/exports/", views.export_panel, name="export_panel"),
    path("assessments/<int:assessment_id>/exports/new/", views.export_request, name="export_request"),
    path("exports/<int:job_id>/", views.export_status, name="export_status"),
    path("exports/<int:job_id>/download/", views.export_download, name="export_download"),
]
