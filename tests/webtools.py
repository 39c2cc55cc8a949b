"""Helpers for the browser-view tests: signed-in clients, htmx requests, a populated register."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from hazards import services
from hazards.models import MitigationKind
from tests.factories import make_hazard

HTMX = {"HX-Request": "true"}


def force_login_verified(client: Client, user) -> Client:
    """Sign `client` in as `user` as if they had also given a TOTP code (staff are held until they have)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def populate(assessment, by, *, scenarios: int, consequences: int = 1, mitigations_per_scenario: int = 1):
    """A register of `scenarios` rated scenarios, each with consequences and its own mitigations."""
    created = []
    for n in range(scenarios):
        scenario = make_hazard(
            assessment,
            by,
            title=f"Scenario {n}",
            category="security" if n % 2 else "application_safety",
            inherent_likelihood=1 + n % 5,
            inherent_severity=1 + (n * 2) % 5,
            owner=by,
        )
        for c in range(consequences):
            services.consequence_create(
                hazard_id=scenario.pk,
                by=by,
                description=f"Consequence {c} of {scenario.ref}",
                harm_type="security",
                affected_party="end_users",
                severity=3,
            )
        for m in range(mitigations_per_scenario):
            services.mitigation_create(
                assessment_id=assessment.pk,
                by=by,
                title=f"Mitigation {m} of {scenario.ref}",
                kind=MitigationKind.TECHNICAL_CONTROL,
                hazard_ids=[scenario.pk],
                owner=by,
                due_date=timezone.localdate() + datetime.timedelta(days=n - 2),
            )
        created.append(scenario)
    return created
