"""An OpenAI-compatible endpoint a project evaluates models through; its key is stored encrypted only."""

from django.conf import settings
from django.db import models

from evaluations import limits


class ModelEndpoint(models.Model):
    project = models.ForeignKey("assessments.Project", on_delete=models.CASCADE, related_name="model_endpoints")
    name = models.CharField(max_length=limits.ENDPOINT_NAME_MAX)
    base_url = models.CharField(max_length=limits.BASE_URL_MAX)
    model = models.CharField(max_length=limits.MODEL_NAME_MAX)
    temperature = models.FloatField(default=0.2)
    samples_per_task = models.PositiveSmallIntegerField(default=5)
    max_tokens = models.PositiveIntegerField(default=512)
    # Fernet token (evaluations.endpoint.secrets); the plain key is never stored, shown or logged.
    api_key_encrypted = models.TextField(blank=True)
    api_key_set_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="model_endpoint_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.model})"
