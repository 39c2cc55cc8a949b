"""App configuration for assessments."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Celery tasks outside tasks.py, and the API representations that webhook payloads and 412s use;
        # imported here so that web, worker and beat processes all know them.
        from assessments.rest import serializers, tasks  # noqa: F401
        from assessments.webhooks import tasks as webhook_tasks  # noqa: F401
