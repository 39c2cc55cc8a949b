"""The Celery app as the failure tests start it in a subprocess: the real app, two test-only adjustments.

- kombu's sweep that gives back unacknowledged messages runs every second (default: about every 100 s),
  so a message of a killed worker comes back soon after the short visibility timeout the test sets;
- HAZLOG_TEST_PROGRESS_DELAY seconds of sleep at every progress step of an export, so that a test can
  reliably kill the worker in the middle of one. The export code itself is unchanged.
"""

import os
import time

from config.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

_DELAY = float(os.environ.get("HAZLOG_TEST_PROGRESS_DELAY") or 0)
if _DELAY:
    import django

    django.setup()
    from assessments.exports import service

    _progress = service._Progress.__call__

    def _slow_progress(self, percent):
        _progress(self, percent)
        time.sleep(_DELAY)

    service._Progress.__call__ = _slow_progress

__all__ = ["app"]
