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
    # Every five minutes: queue again the export jobs that never reached Redis (it was down when they
    # were requested) or whose message was lost, so every requested export ends done or failed.
    "exports-requeue-stuck": {"task": "assessments.tasks.exports_requeue_stuck", "schedule": 5 * 60},
    # Every five minutes: evaluation runs whose task was lost or whose worker died are queued again.
    "evaluations-requeue-stuck": {"task": "evaluations.tasks.evaluations_requeue_stuck", "schedule": 5 * 60},
    # Every hour: delete export files older than EXPORT_TTL_HOURS; their download links then say expired.
    "exports-remove-expired": {"task": "assessments.tasks.exports_remove_expired", "schedule": 60 * 60},
    # Every ten minutes: e-mail the notifications whose e-mail task never reached Redis (it was down when
    # the notification was written) or ran out of retries while the mail server was down.
    "notifications-email-pending": {"task": "assessments.tasks.notifications_email", "schedule": 10 * 60},
    # Every hour: queue again today's digest e-mails that the mail server or the queue kept from going out.
    "reminders-requeue-unsent": {
        "task": "assessments.tasks.reminders_requeue_unsent",
        "schedule": crontab(minute=30),
    },
}


@app.on_after_configure.connect
def _schedule_from_settings(sender, **kwargs):
    # Connected to a signal because these times are Django settings, readable only once settings are loaded.
    from django.conf import settings

    # Once a day at REMINDER_HOUR (UTC): one digest per person of what is due, waiting or expiring,
    # in the app and by e-mail. Running it twice in a day sends nothing new.
    sender.add_periodic_task(
        crontab(hour=settings.HAZLOG_REMINDER_HOUR, minute=0),
        sender.signature("assessments.tasks.reminders_send_daily"),
        name="reminders-daily",
    )
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
