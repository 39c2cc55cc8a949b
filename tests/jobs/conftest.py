"""Fixtures for exports, imports and reminders: a populated register, eager Celery, private media, and
for the failure and browser tests a private redis-server, real Celery workers and Debian's Chromium."""

import datetime

import pytest
from django.utils import timezone

from assessments.services import workflow
from hazards import services
from tests.factories import make_hazard


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def celery_eager():
    """Run tasks in the calling thread, as the embedded default does."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def fill_register(assessment, contributor, approver, *, scenarios: int = 3) -> None:
    """Scenarios with consequences, mitigations (one with a ticket) and one risk acceptance."""
    hazards = []
    for n in range(1, scenarios + 1):
        hazard = make_hazard(
            assessment,
            contributor,
            title=f"Scenario {n}: insecure code suggested" if n > 1 else '=HYPERLINK("http://evil") injected',
            description=f"Generated code for task {n} contains a vulnerability.\nSecond line.",
            category="security" if n % 2 else "application_safety",
            causes="Training data with vulnerable patterns",
            affected_parties="Developers, end users",
            owner=contributor,
        )
        services.consequence_create(
            hazard_id=hazard.pk,
            by=contributor,
            description=f"Data breach through injected code ({n})",
            harm_type="security",
            affected_party="end_users",
            severity=3,
        )
        hazards.append(hazard)
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Static analysis gate on suggestions",
        kind="technical_control",
        hazard_ids=[h.pk for h in hazards],
        owner=contributor,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        status="in_progress",
        external_system="jira",
        external_key="SEC-101",
        external_url="https://jira.example.com/browse/SEC-101",
    )
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="Secure coding training", kind="documentation_training"
    )
    services.acceptance_grant(
        hazard_id=hazards[0].pk,
        by=approver,
        rationale="Residual risk is tolerable with the gate in place.",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def register(assessment, contributor, approver):
    fill_register(assessment, contributor, approver)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def approved(register, contributor, approver):
    """The register submitted by alice and approved by carol (the project needs one approval)."""
    workflow.assessment_submit(assessment_id=register.pk, by=contributor)
    workflow.assessment_approve(assessment_id=register.pk, by=approver, comment="Looks complete.")
    register.refresh_from_db()
    assert register.status == "approved"
    return register


def switch_broker(app, url: str) -> str:
    """Point the Celery app's producers at another broker; returns the previous URL."""
    previous = app.conf.broker_url
    # Only references are dropped: kombu keeps one pool per URL, and the previous one is reused later.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    return previous


@pytest.fixture
def broker_down():
    """A broker URL nothing listens on: publishing fails the way it does while Redis is down."""
    from config.celery import app

    previous = switch_broker(app, "redis://127.0.0.1:9/0")
    yield app
    switch_broker(app, previous)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own, with the Celery app in this process publishing to it."""
    from config.celery import app
    from tests.jobs.processes import Redis

    server = Redis(tmp_path / "redis").start()
    previous = switch_broker(app, server.url)
    yield server
    switch_broker(app, previous)
    server.stop()


@pytest.fixture
def workers(redis_server, tmp_path):
    """workers(**env) starts a `celery worker` on the private Redis and the test database; all are stopped."""
    from tests.jobs.processes import Worker

    started: list = []

    def start(**env):
        worker = Worker(redis_server, tmp_path, **env)
        started.append(worker)  # stopped at the end even if it never became ready
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
