"""The Celery application and its beat schedule; settings come from Django's CELERY_* settings."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hazlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Entries are added by the features that need them; each comes with a plain-English comment.
app.conf.beat_schedule = {
    # Every day at 00:15 UTC, just after the date changes: risk acceptances whose expiry date has passed
    # are marked expired (once each), audited, and approvers, owners and scenario owners are told.
    # A missed run is caught up by the next one: the sweep looks at dates, not at "yesterday".
    "expire-risk-acceptances": {
        "task": "hazards.tasks.acceptances_expire",
        "schedule": crontab(hour=0, minute=15),
    },
}


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
    # Every day, forget finished webhook deliveries older than WEBHOOK_LOG_DAYS (the delivery log's history).
    sender.add_periodic_task(
        86400.0, sender.signature("assessments.webhooks.tasks.webhook_log_prune"), name="webhook-log-prune"
    )
    # Every hour, forget Idempotency-Key records older than API_IDEMPOTENCY_TTL_HOURS.
    sender.add_periodic_task(
        3600.0, sender.signature("assessments.rest.tasks.idempotency_records_prune"), name="idempotency-prune"
    )
