"""The Celery application and its beat schedule; settings come from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hazlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Entries are added by the features that need them; each comes with a plain-English comment.
app.conf.beat_schedule = {}


@app.on_after_configure.connect
def _api_schedule(sender, **kwargs):
    # Connected to a signal because the interval is a Django setting, readable only once settings are loaded.
    from django.conf import settings

    # Every minute (WEBHOOK_SWEEP_SECONDS), send the webhook deliveries that are due but whose task went
    # missing (Redis was down when the change was saved, or a worker died mid-delivery), and give up on
    # deliveries whose last attempt never finished.
    sender.add_periodic_task(
        float(settings.HAZLOG_WEBHOOK_SWEEP_SECONDS),
        sender.signature("assessments.webhooks.tasks.webhooks_sweep"),
        name="webhooks-sweep",
    )
    # Every hour, forget Idempotency-Key records older than API_IDEMPOTENCY_TTL_HOURS.
    sender.add_periodic_task(
        3600.0, sender.signature("assessments.rest.tasks.idempotency_records_prune"), name="idempotency-prune"
    )
