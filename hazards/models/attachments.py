"""Evidence files and links attached to a scenario or a mitigation."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hazards.attachments import limits


class AttachmentKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class Attachment(models.Model):
    # Kept on the row so that scoping, the snapshot and exports read one table per assessment.
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="attachments")
    scenario = models.ForeignKey(
        "hazards.HazardScenario", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    mitigation = models.ForeignKey(
        "hazards.Mitigation", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=4, choices=AttachmentKind.choices)
    name = models.CharField(max_length=limits.NAME_MAX)
    url = models.URLField(max_length=limits.URL_MAX, blank=True)
    file_type = models.CharField(max_length=20, blank=True)  # a key of limits.TYPES, recognised from the bytes
    size = models.BigIntegerField(null=True, blank=True)
    # The bytes' SHA-256, computed while the upload streamed in; also the file's name in the storage.
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["assessment_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scenario__isnull=False, mitigation__isnull=True))
                | (Q(scenario__isnull=True, mitigation__isnull=False)),
                name="attachment_on_one_target",
            ),
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(sha256="") & Q(size__isnull=False) & Q(url=""))
                | (Q(kind="link") & Q(sha256="") & Q(size__isnull=True) & ~Q(url="")),
                name="attachment_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def target_ref(self) -> str:
        target = self.scenario if self.scenario_id else self.mitigation
        return target.ref

    @property
    def ref(self) -> str:
        return f"{self.target_ref}/A-{self.pk}"

    @property
    def content_type(self) -> str:
        file_type = limits.TYPES.get(self.file_type)
        return file_type.content_type if file_type else "application/octet-stream"
