"""Immutable content snapshots and the approvals bound to them."""

from django.conf import settings
from django.db import models


class Snapshot(models.Model):
    """Canonical JSON of an assessment's content at a submission; never edited once written."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="snapshots")
    sha256 = models.CharField(max_length=64)
    canonical = models.TextField(help_text="The exact bytes (UTF-8) that were hashed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sha256"], name="snapshot_unique_hash_per_assessment")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} @ {self.sha256[:12]}"


class Approval(models.Model):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the snapshot the approver saw.")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "approver", "content_hash"], name="approval_once_per_content")
        ]

    def __str__(self) -> str:
        return f"{self.approver} approved {self.assessment} @ {self.content_hash[:12]}"
