"""Browser URLs of integrations: personal API tokens, and a project's webhooks with their delivery log."""

from django.urls import path

from assessments.views import tokens, webhooks

urlpatterns = [
    path("tokens/", tokens.token_list, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
    path("projects/<int:project_id>/webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/<int:webhook_id>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhook_id>/toggle/", webhooks.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:webhook_id>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("webhook-deliveries/<int:delivery_id>/redeliver/", webhooks.delivery_redeliver, name="delivery_redeliver"),
]
