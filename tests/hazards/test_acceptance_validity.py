"""One rule for a valid risk acceptance (not revoked, and today no later than its expiry date), in queries,
on rows, in the API's `active` and on the scenario page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.services import tokens
from hazards import services
from hazards.models import RiskAcceptance
from tests.factories import make_hazard
from tests.webtools import client_for

__all__ = ["client_for"]  # a fixture

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def acceptances(assessment, contributor, approver) -> dict[str, RiskAcceptance]:
    scenario = make_hazard(assessment, contributor)
    made = {}
    for name in ("later", "today", "yesterday", "revoked"):
        made[name] = services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale=name, expires_on=days(5))
    RiskAcceptance.objects.filter(pk=made["today"].pk).update(expires_on=TODAY)
    RiskAcceptance.objects.filter(pk=made["yesterday"].pk).update(expires_on=days(-1))
    services.acceptance_revoke(acceptance_id=made["revoked"].pk, by=approver, reason="Scope grew")
    return {name: RiskAcceptance.objects.get(pk=a.pk) for name, a in made.items()}


def names(acceptances, queryset) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, a in acceptances.items() if a.pk in ids}


def test_an_acceptance_is_valid_through_its_expiry_date_unless_revoked(acceptances):
    assert names(acceptances, RiskAcceptance.objects.valid()) == {"later", "today"}
    assert names(acceptances, RiskAcceptance.objects.lapsed()) == {"yesterday", "revoked"}
    assert names(acceptances, RiskAcceptance.objects.expired()) == {"yesterday"}
    assert {name: a.state() for name, a in acceptances.items()} == {
        "later": "valid",
        "today": "valid",
        "yesterday": "expired",
        "revoked": "revoked",
    }


@pytest.mark.parametrize("offset", [-2, 0, 1, 5, 6])
def test_rows_and_queries_agree_on_any_day(acceptances, offset):
    day = days(offset)
    valid = names(acceptances, RiskAcceptance.objects.valid(on=day))
    assert valid == {name for name, a in acceptances.items() if a.is_valid(on=day)}
    assert names(acceptances, RiskAcceptance.objects.lapsed(on=day)) == set(acceptances) - valid


def test_the_api_active_flag_and_filter_follow_the_same_rule(acceptances, approver):
    _, raw = tokens.token_create(user=approver, name="sync", read_only=True)
    client = APIClient(headers={"Authorization": f"Bearer {raw}"})
    listed = client.get("/api/v1/risk-acceptances/").json()["results"]
    assert {a["rationale"]: a["active"] for a in listed} == {
        "later": True,
        "today": True,
        "yesterday": False,
        "revoked": False,
    }
    active = client.get("/api/v1/risk-acceptances/", {"active": "true"}).json()["results"]
    assert {a["rationale"] for a in active} == {"later", "today"}
    inactive = client.get("/api/v1/risk-acceptances/", {"active": "false"}).json()["results"]
    assert {a["rationale"] for a in inactive} == {"yesterday", "revoked"}


def test_the_scenario_page_labels_each_acceptance_by_the_same_rule(acceptances, approver, client_for):
    scenario = acceptances["later"].scenario
    page = client_for(approver).get(reverse("hazard_detail", args=[scenario.pk]))
    states = [state for _, state in page.context["acceptances"]]
    assert sorted(states) == ["expired", "revoked", "valid", "valid"]


def test_revoking_an_acceptance_of_another_project_is_a_404(acceptances, outsider, client_for):
    target = acceptances["later"]
    response = client_for(outsider).post(
        reverse("acceptance_revoke", args=[target.pk]), {"reason": "mine now", "version": target.version}
    )
    assert response.status_code == 404
    assert RiskAcceptance.objects.get(pk=target.pk).revoked_at is None
