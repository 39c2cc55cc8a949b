"""Webhooks delivered by a real Celery worker process against Redis, and an outbox that survives the worker
being killed mid-delivery and the broker losing its messages (the sweep delivers from the database)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from assessments.models import WebhookDelivery
from assessments.services import webhooks
from tests.factories import make_hazard

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery -A config worker -B` in its own process group, on the test database and our Redis."""

    def __init__(self, log: Path):
        self.log = log

    def start(self) -> "Worker":
        url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
        env = {
            **os.environ,
            "DATABASE_URL": url._replace(path="/" + connection.settings_dict["NAME"]).geturl(),
            "CONN_MAX_AGE": "0",
            "WEBHOOKS_ALLOW_PRIVATE": "true",
            "WEBHOOK_SWEEP_SECONDS": "1",
            "WEBHOOK_TIMEOUT_SECONDS": "2",
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
        }
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        self.output = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "-s",
                str(self.log.with_suffix(".beat")),
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while b" ready." not in self.log.read_bytes()[self.offset :]:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as an OOM killer or a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.output.close()


@pytest.fixture
def worker_log(tmp_path):
    return tmp_path / "worker.log"


@pytest.fixture
def workers(worker_log, transactional_db):
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(worker_log).start())
        return started[-1]

    yield start
    for worker in started:
        worker.kill()


def _wait_for(condition, seconds: float, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out; worker log:\n{log.read_text()[-4000:]}")


def test_a_real_worker_delivers_a_change_once_it_commits(assessment, contributor, owner, receiver, workers, worker_log):
    endpoint, _secret = webhooks.webhook_create(
        project_id=assessment.project.pk, by=owner, url=receiver.url, event_types=["hazard.created"]
    )
    workers()
    hazard = make_hazard(assessment, contributor)
    delivery = endpoint.deliveries.get()
    _wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded", 30, worker_log)
    (request,) = receiver.requests
    assert json.loads(request.body)["object"]["id"] == hazard.pk


def test_the_outbox_survives_a_killed_worker_and_lost_broker_messages(
    assessment, contributor, owner, receiver, workers, worker_log
):
    receiver.hold = threading.Event()  # the first request never gets an answer: the worker dies waiting
    endpoint, _ = webhooks.webhook_create(
        project_id=assessment.project.pk, by=owner, url=receiver.url, event_types=["hazard.created"]
    )
    first_worker = workers()
    make_hazard(assessment, contributor, title="Delivered while the worker dies")
    assert receiver.arrived.wait(30), worker_log.read_text()[-3000:]
    first_worker.kill()

    make_hazard(assessment, contributor, title="Saved while no worker runs")
    # The broker loses every queued message (a Redis restart without persistence, say).
    redis.Redis.from_url(settings.REDIS_URL).delete("celery")
    interrupted, _queued = endpoint.deliveries.order_by("id")
    assert WebhookDelivery.objects.get(pk=interrupted.pk).status == "pending"

    workers()
    _wait_for(lambda: set(endpoint.deliveries.values_list("status", flat=True)) == {"succeeded"}, 45, worker_log)
    interrupted.refresh_from_db()
    assert interrupted.attempts == 2, "the interrupted attempt counts, and the sweep made a second one"
    sent = [json.loads(r.body)["object"]["repr"].split(" ", 1)[1] for r in receiver.requests]
    assert sent.count("Delivered while the worker dies") == 2
    assert sent.count("Saved while no worker runs") == 1
