"""App configuration for hazards."""

from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "hazards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the register's API representations, which webhook payloads and 412 responses show.
        from hazards.rest import evidence, serializers  # noqa: F401
