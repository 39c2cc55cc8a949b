"""URLs of the reminder pages."""

from django.urls import path

from assessments.reminders import views

urlpatterns = [
    path("reminders/<str:date>/", views.digest_detail, name="reminder_digest"),
    path("profile/", views.profile, name="profile"),
]
