"""Who signed in through the identity provider, and which memberships its group claim created."""

from django.conf import settings
from django.db import models


class OidcIdentity(models.Model):
    """A provider's (issuer, subject) pair, which is the only stable identifier OpenID Connect promises."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class GroupRoleGrant(models.Model):
    """Marks a membership created by OIDC_GROUP_ROLE_MAP, so that only those are changed or removed by it."""

    membership = models.OneToOneField("assessments.Membership", on_delete=models.CASCADE, related_name="group_grant")
    group = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.membership} from group {self.group}"


class RecoveryCode(models.Model):
    """One of a user's single-use recovery codes for two-step sign-in (accounts.services.recovery), kept only as
    the SHA-256 of its text: the codes are random (50 bits), shown once, and never stored readable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}{' (used)' if self.used_at else ''}"
