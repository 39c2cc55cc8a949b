"""Django admin for staff: searchable, filterable and read-only, so no change escapes the services' audit trail."""

from django.contrib import admin

from assessments.models import (
    ApiToken,
    Approval,
    Assessment,
    AuditEvent,
    ExportJob,
    ImportJob,
    Membership,
    Notification,
    Project,
    Snapshot,
    WebhookDelivery,
    WebhookEndpoint,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff can inspect everything; changes go through the app (and its services) instead."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "required_approvals", "review_cadence_days", "created_at"]
    list_filter = ["required_approvals", "created_at"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["project__name", "user__username", "user__email"]
    list_select_related = ["project", "user"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "revision", "status", "due_date", "next_review_date", "updated_at"]
    list_filter = ["status", "deployment_channel"]
    search_fields = ["title", "project__name", "model_name"]
    list_select_related = ["project"]
    date_hierarchy = "created_at"


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "sha256", "created_by", "created_at"]
    search_fields = ["sha256", "assessment__title"]
    list_select_related = ["assessment", "created_by"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "approver", "content_hash", "created_at"]
    search_fields = ["assessment__title", "approver__username", "content_hash"]
    list_select_related = ["assessment", "approver"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "via", "action", "object_ref", "project"]
    list_filter = ["via", "action", "object_type"]
    search_fields = ["actor_name", "object_ref", "object_repr", "project__name"]
    list_select_related = ["project"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "message", "cause"]
    list_select_related = ["recipient"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "assessment", "format", "status", "progress", "requested_by", "expires_at"]
    list_filter = ["status", "format"]
    search_fields = ["assessment__title", "requested_by__username", "error"]
    list_select_related = ["assessment", "requested_by"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "project", "original_name", "source", "status", "created_by"]
    list_filter = ["status", "source"]
    search_fields = ["project__name", "original_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "read_only", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "prefix"]
    exclude = ["key_hash"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "project", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "project__name"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["endpoint__url", "event__action"]
    list_select_related = ["endpoint", "event"]
