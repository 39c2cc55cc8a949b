"""In-app notifications, per-user preferences and the daily reminder digests."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    project = models.ForeignKey("assessments.Project", null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=40)
    # What caused it, e.g. "assessment:12:submitted:3"; one notification per person per cause.
    cause = models.CharField(max_length=200)
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "cause"], name="notification_once_per_cause")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"to {self.recipient}: {self.message[:60]}"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    email_digests = models.BooleanField(default=True, help_text="Send the daily reminder digest by e-mail.")

    def __str__(self) -> str:
        return f"profile of {self.user}"


class ReminderDigest(models.Model):
    """One digest per person per day; its existence is what stops a second send."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    date = models.DateField()
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="digest_once_per_user_per_day")]

    def __str__(self) -> str:
        return f"digest for {self.user} on {self.date}"
