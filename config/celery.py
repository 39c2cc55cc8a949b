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
