"""Schemathesis against our own OpenAPI schema with every default check, one operation at a time and in chains.

Every default check runs: no server errors, responses, status codes, content types and headers as documented,
schema-valid requests accepted and schema-violating ones rejected, authentication not ignored, and (in the
stateful test) resources reachable after they are created and gone after they are deleted. The schema is
loaded in process over WSGI (G10/G11 in the dependency notes); requests carry an owner's token over a register
that has one object of every kind.
"""

import re

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from assessments.rest import conditional
from assessments.rest.throttling import AnonymousThrottle, TokenThrottle
from config.wsgi import application

with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
# HTTP has receivers ignore headers they do not know; a request with an extra one is not schema-violating.
schema.config.generation.update(allow_extra_parameters=False)
# Answers to a well-formed request that depend on the data, not on the request's shape: a business rule of the
# body (a date in the past, a username that is no member), a stale If-Match, an Idempotency-Key reused by an
# earlier example with another body. A 400 for a parameter or header the schema describes stays a failure.
STATEFUL_ANSWERS = {412, 422}
SHAPE_CODES = {"invalid_parameter", "invalid_cursor", "invalid_idempotency_key", "invalid_precondition", "parse_error"}

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
}


@pytest.fixture
def fuzz_token(world, owner, settings, monkeypatch):
    from assessments.services import tokens

    settings.ALLOWED_HOSTS = ["*"]
    # Hundreds of requests a minute, many of them deliberately without a token: the limits are tested elsewhere.
    for throttle in (AnonymousThrottle, TokenThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", {**throttle.THROTTLE_RATES, throttle.scope: "100000/min"})
    # Calling the WSGI app fires request_started/finished, whose close_old_connections would close the
    # test's transaction; Django's own test client disconnects them the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    _, raw = tokens.token_create(user=owner, name="fuzz")
    yield raw
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Path segment → the register's object of that kind.
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
# Body fields and query parameters that name another object → the register's object they should name.
REFERENCES = {"project": "project", "assessment": "assessment", "hazard": "hazard", "against": "assessment"}


def _is_positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _aim_at_real_objects(case, world):
    """Point ids at the register's real objects, so that success responses are checked too: a made-up id is a
    404 in a path and a 400 in a body, which the permission tests already cover."""
    resource = case.operation.path.split("/")[3]
    if "id" in (case.path_parameters or {}) and resource in OBJECTS:
        case.path_parameters["id"] = str(getattr(world, OBJECTS[resource]).pk)
    if "key" in (case.path_parameters or {}):
        case.path_parameters["key"] = "SEC-01"
    if not _is_positive(case):
        return
    for container in (case.body, case.query):
        if isinstance(container, dict):
            for field, kind in REFERENCES.items():
                if isinstance(container.get(field), int):
                    container[field] = getattr(world, kind).pk
    # Schemathesis 4.32's coverage phase puts "0" in If-Match on positive cases when negative ones are
    # generated too, ignoring the declared pattern; a client that sends If-Match sends a tag it read, or *.
    headers = case.headers or {}
    if "If-Match" in headers and re.fullmatch(conditional.IF_MATCH_PATTERN, headers["If-Match"]) is None:
        headers["If-Match"] = "*"


def _is_business_rule(case, response) -> bool:
    """A refusal that the schema cannot express, so positive-data acceptance does not apply to it."""
    if not _is_positive(case) or response.status_code not in {400, *STATEFUL_ANSWERS}:
        return False
    if response.status_code in STATEFUL_ANSWERS:
        return True
    body = response.json()
    fields = set(body.get("errors", {}))
    # A rule across body fields may name one the request left out ("a ticket key needs its system"), so
    # any field that is not one of the request's parameters or headers is the body's.
    sent = {*(case.query or {}), *(case.headers or {}), *(case.path_parameters or {})}
    return body["code"] not in SHAPE_CODES and isinstance(case.body, dict) and fields.isdisjoint(sent)


def _is_refusal_by_state(case, response) -> bool:
    """A schema-violating request answered by state first: a replay of an Idempotency-Key's stored answer (by
    design the first response, whatever comes with the retry), or a 412 (refused, nothing written)."""
    if case.meta is None or case.meta.generation.mode.is_positive:
        return False
    replayed = {name.lower(): value for name, value in response.headers.items()}.get("idempotent-replayed")
    return response.status_code == 412 or replayed in (["true"], "true")


def _excluded(case, response) -> list:
    excluded = []
    if _is_business_rule(case, response):
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if _is_refusal_by_state(case, response):
        excluded.append(schemathesis.checks.negative_data_rejection)
    return excluded


def _call_and_validate(case, token):
    headers = {"Authorization": f"Bearer {token}"}
    response = case.call(headers=headers)
    case.validate_response(
        response, headers=headers, excluded_checks=_excluded(case, response), transport_kwargs={"headers": headers}
    )


@schema.parametrize()
@hypothesis_settings(max_examples=10, **SETTINGS)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, fuzz_token, world):
    _aim_at_real_objects(case, world)
    _call_and_validate(case, fuzz_token)


def test_chains_of_calls_along_the_schemas_links_answer_as_documented(fuzz_token, world):
    """Stateful: what a create returns is used by the reads, writes and deletes that follow it."""

    class Chains(schema.as_state_machine()):
        def before_call(self, case):
            _aim_at_real_objects(case, world)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {fuzz_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=_excluded(case, response),
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Chains.run(settings=hypothesis_settings(max_examples=30, stateful_step_count=6, **SETTINGS))
