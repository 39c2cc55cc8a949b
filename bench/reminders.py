"""Reminder benchmark: the daily scan over 100,000 mitigations, its queries, and a second run sending nothing.

The baseline is the least work that finds the same candidates: one raw SQL statement selecting the open
mitigations due within seven days whose owner is a member of the project.
"""

import datetime
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

# bench/data.py spreads due dates around this day, so the scan is deterministic.
TODAY = datetime.date(2026, 12, 1)
RAW_SQL = """
    SELECT m.id, m.ref, m.title, m.due_date, m.owner_id, a.id, a.title, p.name
    FROM hazards_mitigation m
    JOIN assessments_assessment a ON a.id = m.assessment_id
    JOIN assessments_project p ON p.id = a.project_id
    JOIN auth_user u ON u.id = m.owner_id
    WHERE m.due_date <= %s AND m.status IN ('proposed', 'planned', 'in_progress') AND u.is_active
      AND a.status IN ('draft', 'in_review', 'changes_requested', 'approved')
      AND EXISTS (SELECT 1 FROM assessments_membership ms
                  WHERE ms.project_id = a.project_id AND ms.user_id = m.owner_id)
"""


def _timed(fn, repeats: int):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def run(repeats: int = 3) -> dict:
    from django.conf import settings

    from assessments.models import Notification, ReminderDigest
    from assessments.reminders import digests, rules
    from config.celery import app
    from hazards.models import Mitigation

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [TODAY + datetime.timedelta(days=rules.DUE_SOON_DAYS)])
            return len(cursor.fetchall())

    def scan():
        return sum(len(items) for items in rules.collect(TODAY).values())

    raw_s, raw_rows = _timed(raw, repeats)
    scan_s, items = _timed(scan, repeats)
    with CaptureQueriesContext(connection) as ctx:
        scan()
    scan_queries = len(ctx.captured_queries)

    # The whole daily run, twice: digests, notifications and e-mails (in-process, to memory), then nothing.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.task_always_eager = True
    ReminderDigest.objects.filter(date=TODAY).delete()
    Notification.objects.filter(cause=f"digest:{TODAY.isoformat()}").delete()
    from django.core import mail

    mail.outbox = []
    with CaptureQueriesContext(connection) as first_ctx:
        start = time.perf_counter()
        first = digests.digests_create(today=TODAY)
        first_s = time.perf_counter() - start
    emails_first = len(mail.outbox)
    with CaptureQueriesContext(connection) as second_ctx:
        start = time.perf_counter()
        second = digests.digests_create(today=TODAY)
        second_s = time.perf_counter() - start
    return {
        "benchmark": "reminders",
        "mitigations": Mitigation.objects.count(),
        "batch": rules.BATCH,
        "raw_sql_ms": round(raw_s * 1000, 1),
        "raw_sql_rows": raw_rows,
        "scan_ms": round(scan_s * 1000, 1),
        "scan_items": items,
        "scan_queries": scan_queries,
        "ratio_scan_to_raw_sql": round(scan_s / raw_s, 1),
        "daily_run_ms": round(first_s * 1000, 1),
        "daily_run_queries": len(first_ctx.captured_queries),
        "digests": first["people"],
        "emails_sent": emails_first,
        "second_run_ms": round(second_s * 1000, 1),
        "second_run_queries": len(second_ctx.captured_queries),
        "second_run_emails_queued": second["emails_queued"],
        "emails_sent_total": len(mail.outbox),
    }
