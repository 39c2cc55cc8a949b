"""Fixtures of the API tests: clients that authenticate with a personal token, as sync clients do."""

import datetime
import functools
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from assessments.services import tokens
from tests.factories import make_hazard


@pytest.fixture
def api_client_for(db):
    """api_client_for(user, read_only=False) -> an APIClient sending `Authorization: Bearer <new token>`."""

    def make(user, *, read_only: bool = False) -> APIClient:
        _, raw = tokens.token_create(user=user, name=f"test client of {user.username}", read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make


@pytest.fixture
def anonymous_client():
    return APIClient()


@dataclass
class World:
    """One project's register with one object of every kind, built through the services."""

    project: object
    assessment: object
    hazard: object
    consequence: object
    mitigation: object
    acceptance: object
    comment: object
    webhook: object
    delivery: object
    event: object


@functools.cache
def _catalogue_entry(key: str) -> dict:
    from hazards.catalogue.loader import DEFAULT_PATH, read_catalogue
    from hazards.services.catalogue import TEMPLATE_FIELDS

    entry = next(t for t in read_catalogue(DEFAULT_PATH)["templates"] if t["key"] == key)
    return {field: entry.get(field, []) for field in TEMPLATE_FIELDS}


def load_template(key: str = "SEC-01"):
    """One catalogue template (loading all 77 for every test would dominate the run time)."""
    from hazards.models import HazardTemplate

    return HazardTemplate.objects.create(key=key, **_catalogue_entry(key))


@pytest.fixture
def world(project, assessment, contributor, approver, owner):
    from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
    from hazards import services

    load_template()
    hazard = make_hazard(assessment, contributor, residual_likelihood=4, residual_severity=4)
    consequence = services.consequence_create(
        hazard_id=hazard.pk,
        by=contributor,
        description="Vulnerable code reaches production",
        harm_type="security",
        affected_party="end_users",
        severity=4,
    )
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Static analysis in CI",
        kind="technical_control",
        hazard_ids=[hazard.pk],
        external_system="jira",
        external_key="SEC-1",
    )
    acceptance = services.acceptance_grant(
        hazard_id=hazard.pk,
        by=approver,
        rationale="Residual risk is covered by review",
        expires_on=datetime.date.today() + datetime.timedelta(days=90),
    )
    comment = services.comment_create(assessment_id=assessment.pk, by=contributor, body="Please check @bob")
    # Registered directly: the fixture needs an endpoint, not the SSRF check of the service (tested elsewhere).
    webhook = WebhookEndpoint.objects.create(
        project=project, url="https://hooks.example.com/hazlog", secret="s" * 32, created_by=owner
    )
    event = AuditEvent.objects.filter(project=project).latest("id")
    delivery = WebhookDelivery.objects.create(endpoint=webhook, event=event)
    return World(project, assessment, hazard, consequence, mitigation, acceptance, comment, webhook, delivery, event)


@pytest.fixture
def receiver(settings):
    """A live receiver on loopback; webhooks may reach it because the test allows private addresses."""
    from tests.api.receiver import Receiver

    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = True
    started = Receiver().start()
    yield started
    started.stop()
