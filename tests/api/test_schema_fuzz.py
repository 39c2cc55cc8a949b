"""Schemathesis against our own OpenAPI schema: every operation, no server errors, responses as documented.

The schema is loaded in process over WSGI (G10/G11 in the dependency notes); requests carry an owner's
token over a register that has one object of every kind.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from config.wsgi import application

with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def fuzz_token(world, owner, settings):
    from assessments.services import tokens

    settings.ALLOWED_HOSTS = ["*"]
    # Calling the WSGI app fires request_started/finished, whose close_old_connections would close the
    # test's transaction; Django's own test client disconnects them the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    _, raw = tokens.token_create(user=owner, name="fuzz")
    yield raw
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


OBJECTS = {
    "projects": "project",
    "assessments": "assessment",
    "hazards": "hazard",
    "consequences": "consequence",
    "mitigations": "mitigation",
    "risk-acceptances": "acceptance",
    "comments": "comment",
    "events": "event",
    "webhooks": "webhook",
    "webhook-deliveries": "delivery",
}


def _aim_at_real_objects(case, world):
    """Point path ids at the register's real objects, so the success responses are checked too (random ids
    would almost always be 404s, which the permission tests already cover)."""
    resource = case.operation.path.split("/")[3]
    if "id" in (case.path_parameters or {}) and resource in OBJECTS:
        case.path_parameters["id"] = str(getattr(world, OBJECTS[resource]).pk)
    if "key" in (case.path_parameters or {}):
        case.path_parameters["key"] = "SEC-01"


@schema.parametrize()
@hypothesis_settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, fuzz_token, world):
    _aim_at_real_objects(case, world)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_token}"},
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.status_code_conformance,
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_headers_conformance,
        ],
    )
