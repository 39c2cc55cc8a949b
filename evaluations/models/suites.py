"""A team's own tasks, uploaded as HumanEval JSONL and kept as parsed, immutable task data."""

from django.conf import settings
from django.db import models


class CustomSuite(models.Model):
    project = models.ForeignKey("assessments.Project", on_delete=models.CASCADE, related_name="custom_suites")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    # The parsed tasks as EvalTask fields; never edited, so every run of the suite ran the same tasks.
    tasks = models.JSONField()
    task_count = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="custom_suite_unique_name")]

    def __str__(self) -> str:
        return self.name
