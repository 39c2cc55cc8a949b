"""Risk acceptances and comments: what reviewers and approvers add to a register."""

from django.conf import settings
from django.db import models


class RiskAcceptance(models.Model):
    """An approver accepts a scenario's residual risk until a date; revoked or expired ones no longer count."""

    scenario = models.ForeignKey("hazards.HazardScenario", on_delete=models.CASCADE, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    conditions = models.TextField(blank=True)
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    # Set once by the expiry sweep, so "acceptance.expired" is announced exactly once.
    expired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_on", "revoked_at"])]

    def __str__(self) -> str:
        return f"acceptance of {self.scenario} until {self.expires_on}"


class Comment(models.Model):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="comments")
    scenario = models.ForeignKey(
        "hazards.HazardScenario", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]
