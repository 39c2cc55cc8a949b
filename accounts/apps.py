"""App configuration for accounts (sign-in, second factor, single sign-on)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the configuration checks that `manage.py check` runs (a bad OIDC_* setting fails there).
        from accounts import checks  # noqa: F401
