"""Django admin for the register and the catalogue: searchable, filterable and read-only."""

from django.contrib import admin

from assessments.admin import ReadOnlyAdmin
from hazards.models import Comment, Consequence, HazardScenario, HazardTemplate, Mitigation, RiskAcceptance


class ConsequenceInline(admin.TabularInline):
    model = Consequence
    fields = ["description", "harm_type", "affected_party", "severity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HazardScenario)
class HazardScenarioAdmin(ReadOnlyAdmin):
    list_display = ["ref", "title", "assessment", "category", "inherent_level", "residual_level", "treatment", "owner"]
    list_filter = ["category", "treatment", "residual_level"]
    search_fields = ["ref", "title", "description", "assessment__title"]
    list_select_related = ["assessment", "owner"]
    inlines = [ConsequenceInline]


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyAdmin):
    list_display = ["ref", "title", "assessment", "kind", "status", "owner", "due_date", "external_key"]
    list_filter = ["status", "kind", "external_system"]
    search_fields = ["ref", "title", "external_key", "assessment__title"]
    list_select_related = ["assessment", "owner"]


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["scenario", "accepted_by", "expires_on", "revoked_at", "expired_at"]
    list_filter = ["expires_on", ("revoked_at", admin.EmptyFieldListFilter), ("expired_at", admin.EmptyFieldListFilter)]
    search_fields = ["scenario__ref", "scenario__title", "rationale"]
    list_select_related = ["scenario", "accepted_by"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "author", "assessment", "scenario", "body"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "assessment", "scenario"]


@admin.register(HazardTemplate)
class HazardTemplateAdmin(ReadOnlyAdmin):
    list_display = ["key", "title", "area", "default_likelihood", "default_severity", "retired"]
    list_filter = ["area", "capability_dependence", "retired"]
    search_fields = ["key", "title", "description"]
