"""The daily reminders run at the hour of the REMINDER_HOUR setting, read once, by Django's settings."""

from celery import Celery
from celery.schedules import crontab

from config import celery as celery_config


def test_the_daily_reminders_are_scheduled_at_the_reminder_hour_setting(settings):
    settings.HAZLOG_REMINDER_HOUR = 17
    probe = Celery("probe", set_as_current=False)
    probe.conf.beat_schedule = {}
    celery_config._schedule_from_settings(probe)
    entry = probe.conf.beat_schedule["reminders-daily"]
    assert entry["task"] == "assessments.tasks.reminders_send_daily"
    assert entry["schedule"] == crontab(hour=17, minute=0)


def test_the_running_app_has_the_daily_reminders_in_its_beat_schedule(settings):
    entry = celery_config.app.conf.beat_schedule["reminders-daily"]
    assert entry["schedule"] == crontab(hour=settings.HAZLOG_REMINDER_HOUR, minute=0)
    assert not hasattr(celery_config, "REMINDER_HOUR")  # no second reading of the environment
