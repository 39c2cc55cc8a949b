"""The Celery application and its beat schedule; settings come from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hazlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Entries are added by the features that need them; each comes with a plain-English comment.
app.conf.beat_schedule = {}
