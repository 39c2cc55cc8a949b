"""Browser URLs of the assessments app: accounts, projects and members, notifications, sign-off, activity."""

from django.urls import include, path

from assessments.views import activity, context, diff, notifications, projects, signoff

urlpatterns = [
    # Django's account views (logout, password change and reset) with Hazlog's templates; sign-in (throttled,
    # with its second factor and single sign-on) lives in the accounts app.
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/settings/", projects.project_settings, name="project_settings"),
    path("projects/<int:project_id>/members/", projects.member_add, name="member_add"),
    path("projects/<int:project_id>/assessments/new/", projects.assessment_create, name="assessment_create"),
    path("memberships/<int:membership_id>/role/", projects.member_change_role, name="member_change_role"),
    path("memberships/<int:membership_id>/remove/", projects.member_remove, name="member_remove"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_mark_read, name="notifications_mark_read"),
    path("assessments/<int:assessment_id>/context/", context.assessment_header, name="assessment_header"),
    path(
        "assessments/<int:assessment_id>/context/edit/", context.assessment_context_edit, name="assessment_context_edit"
    ),
    path("assessments/<int:assessment_id>/status/", signoff.status_panel, name="status_panel"),
    path("assessments/<int:assessment_id>/submit/", signoff.assessment_submit, name="assessment_submit"),
    path(
        "assessments/<int:assessment_id>/request-changes/",
        signoff.assessment_request_changes,
        name="assessment_request_changes",
    ),
    path("assessments/<int:assessment_id>/approve/", signoff.assessment_approve, name="assessment_approve"),
    path(
        "assessments/<int:assessment_id>/start-revision/",
        signoff.assessment_start_revision,
        name="assessment_start_revision",
    ),
    path("assessments/<int:assessment_id>/archive/", signoff.assessment_archive, name="assessment_archive"),
    path("assessments/<int:assessment_id>/verify/", signoff.snapshot_verify, name="snapshot_verify"),
    path(
        "assessments/<int:assessment_id>/snapshots/<int:snapshot_id>.json",
        signoff.snapshot_download,
        name="snapshot_download",
    ),
    path("assessments/<int:assessment_id>/activity/", activity.activity, name="activity"),
    path("assessments/<int:assessment_id>/diff/", diff.assessment_diff, name="assessment_diff"),
]
