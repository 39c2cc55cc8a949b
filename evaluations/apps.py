"""App configuration for evaluations: capability evaluations that back hazard likelihood with evidence."""

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the API representations of runs and endpoints, which webhook payloads show.
        from evaluations.rest import serializers  # noqa: F401
