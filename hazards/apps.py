"""App configuration for hazards."""

from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "hazards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the register's API representations, which webhook payloads and 412 responses show.
        from hazards.rest import attachments, evidence, serializers  # noqa: F401

    def attachment_storage(self):
        """The attachment storage helpers, for the snapshot verification in assessments (which never imports
        hazards): it hashes the stored bytes again."""
        from hazards.attachments import storage

        return storage
