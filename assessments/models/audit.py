"""The append-only audit trail; it is also the activity feed, the sync events feed and the webhook outbox."""

from django.conf import settings
from django.db import models


class Via(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    TASK = "task", "Background task"
    ADMIN = "admin", "Admin"
    CLI = "cli", "Command line"


class AuditEvent(models.Model):
    project = models.ForeignKey("assessments.Project", on_delete=models.PROTECT, related_name="events")
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept if the user is deleted.")
    via = models.CharField(max_length=10, choices=Via.choices)
    action = models.CharField(max_length=60, help_text="e.g. hazard.updated, assessment.approved")
    object_type = models.CharField(max_length=30)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_ref = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    object_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The object's version after this event; a deletion's is the last one + 1."
    )
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["project", "id"]),
            models.Index(fields=["assessment", "id"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_ref or self.object_id} by {self.actor_name or 'system'}"
