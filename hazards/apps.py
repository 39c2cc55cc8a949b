"""App configuration for hazards."""

from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "hazards"
    default_auto_field = "django.db.models.BigAutoField"
