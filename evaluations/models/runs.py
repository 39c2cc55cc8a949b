"""Evaluation runs: one model version against one suite's task set, the samples it produced and their outcomes."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from evaluations import limits


class RunSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded completions"
    ENDPOINT = "endpoint", "Model endpoint"
    DEMO = "demo", "Demo data (simulated model)"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    GENERATING = "generating", "Getting completions"
    EXECUTING = "executing", "Running samples"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.GENERATING, RunStatus.EXECUTING)
FINISHED_STATUSES = (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)


class EvaluationRun(models.Model):
    project = models.ForeignKey("assessments.Project", on_delete=models.PROTECT, related_name="evaluation_runs")
    # Stable public id (snapshots and exports name it); number gives the short ref E-<n> within the project.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField()
    model_name = models.CharField(max_length=limits.MODEL_NAME_MAX)
    model_version = models.CharField(max_length=limits.MODEL_VERSION_MAX, blank=True)
    suite_key = models.CharField(max_length=40)
    suite_version = models.CharField(max_length=20)
    seed = models.PositiveIntegerField(default=0)
    tasks_per_level = models.PositiveSmallIntegerField()
    task_set_digest = models.CharField(max_length=64)
    custom_suite = models.ForeignKey(
        "evaluations.CustomSuite", null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    source = models.CharField(max_length=10, choices=RunSource.choices)
    endpoint = models.ForeignKey(
        "evaluations.ModelEndpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    samples_per_task = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    # Figures per level (pass@k, interval, failure classes, findings) and the fitted decay; see results.py.
    summary = models.JSONField(default=dict, blank=True)
    sandbox = models.JSONField(default=dict, blank=True)
    results_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="evaluation_run_unique_number"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="evaluation_run_status_valid"),
            models.CheckConstraint(condition=Q(source__in=RunSource.values), name="evaluation_run_source_valid"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.model_name} {self.model_version}".strip()

    @property
    def ref(self) -> str:
        return f"E-{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_demo(self) -> bool:
        return self.source == RunSource.DEMO


class Sample(models.Model):
    """One completion of one task, and what happened when it ran in the sandbox."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="samples")
    task_id = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField()
    index = models.PositiveSmallIntegerField()
    completion = models.TextField(blank=True)
    # Empty until executed; then one of evaluations.outcomes.
    outcome = models.CharField(max_length=20, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)
    finding_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "level", "task_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "task_id", "index"], name="sample_unique_per_task"),
        ]
        indexes = [models.Index(fields=["run", "outcome"])]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.index}"
