"""Risk acceptances and comments: what reviewers and approvers add to a register."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


def _valid_on(day: datetime.date | None) -> models.Q:
    return models.Q(revoked_at__isnull=True, expires_on__gte=day or timezone.localdate())


class RiskAcceptanceQuerySet(models.QuerySet):
    """Which acceptances count: the one statement of the rule, for queries (RiskAcceptance.is_valid for rows)."""

    def valid(self, on: datetime.date | None = None) -> "RiskAcceptanceQuerySet":
        """Not revoked and not past the expiry date on `on` (today): valid through the expiry date itself."""
        return self.filter(_valid_on(on))

    def lapsed(self, on: datetime.date | None = None) -> "RiskAcceptanceQuerySet":
        """Revoked, or past the expiry date on `on` (today): every acceptance that is not valid."""
        return self.exclude(_valid_on(on))

    def expired(self, on: datetime.date | None = None) -> "RiskAcceptanceQuerySet":
        """Not revoked, but past the expiry date on `on` (today)."""
        return self.filter(revoked_at__isnull=True, expires_on__lt=on or timezone.localdate())


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

    objects = RiskAcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_on", "revoked_at"])]

    def __str__(self) -> str:
        return f"acceptance of {self.scenario} until {self.expires_on}"

    def state(self, on: datetime.date | None = None) -> str:
        """Revoked, expired or valid on `on` (today), by the rule of RiskAcceptanceQuerySet.valid."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on < (on or timezone.localdate()):
            return "expired"
        return "valid"

    def is_valid(self, on: datetime.date | None = None) -> bool:
        return self.state(on) == "valid"


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
