"""Export and import jobs: their state is domain data the UI and API show."""

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF report"
        XLSX = "xlsx", "Excel workbook"
        CSV = "csv", "CSV (zip of register and mitigations)"
        JSON = "json", "JSON (complete, re-importable)"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=10, choices=Format.choices)
    # JSON only: a zip of the JSON and every evidence file it lists (attachments/<sha256>/<name>).
    include_files = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.format} export of {self.assessment} ({self.status})"


class ImportJob(models.Model):
    class Source(models.TextChoices):
        XLSX = "xlsx", "Excel workbook"
        CSV = "csv", "CSV"
        JSON = "json", "Hazlog JSON export"

    class State(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Previewed"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("assessments.Project", on_delete=models.CASCADE, related_name="imports")
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    mapping = models.JSONField(default=dict, blank=True)
    # The value mapping of the rating and choice columns (see hazards/imports/values.py).
    values = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.original_name} into {self.project} ({self.status})"
