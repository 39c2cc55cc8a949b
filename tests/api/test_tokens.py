"""Personal API tokens: hashed at rest, shown once, bearer-only, expiring, revocable, optionally read-only."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.errors import InvalidInput
from assessments.models import ApiToken
from assessments.services import tokens


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_only_the_sha256_of_a_token_is_stored_and_the_secret_is_returned_once(contributor):
    token, raw = tokens.token_create(user=contributor, name="Jira sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("hzl_") and len(raw) > 40
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix) and len(stored.prefix) == 12


def test_a_token_authenticates_as_its_user_and_records_its_use(project, contributor):
    token, raw = tokens.token_create(user=contributor, name="CI gate")
    response = _bearer(raw).get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 200
    assert response.json()["my_role"] == "contributor"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer hzl_not-a-real-token", "Bearer", "Bearer a b", "Bearer not-even-our-prefix"],
)
def test_an_unknown_or_malformed_token_gets_401_with_the_scheme_to_use(project, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "authentication_failed"


def test_no_credentials_get_401_not_403(anonymous_client):
    response = anonymous_client.get("/api/v1/hazards/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_in_the_query_string_is_ignored(project, contributor):
    _, raw = tokens.token_create(user=contributor, name="leaky")
    assert APIClient().get(f"/api/v1/projects/?token={raw}").status_code == 401
    assert APIClient().get(f"/api/v1/projects/?access_token={raw}").status_code == 401


def test_a_revoked_token_is_refused_on_the_very_next_request(project, contributor):
    token, raw = tokens.token_create(user=contributor, name="soon gone")
    client = _bearer(raw)
    assert client.get("/api/v1/projects/").status_code == 200
    tokens.token_revoke(token_id=token.pk, by=contributor)
    assert client.get("/api/v1/projects/").status_code == 401


def test_a_token_revoked_outside_the_service_is_refused_on_the_very_next_request(project, contributor):
    # The admin, a migration or a plain UPDATE: the lookup reads the row on every request, nothing is cached.
    token, raw = tokens.token_create(user=contributor, name="revoked by hand")
    client = _bearer(raw)
    assert client.get("/api/v1/projects/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get("/api/v1/projects/").status_code == 401


def test_a_user_deactivated_while_their_token_is_in_use_is_refused_on_the_very_next_request(project, contributor):
    _, raw = tokens.token_create(user=contributor, name="in use")
    client = _bearer(raw)
    assert client.get("/api/v1/projects/").status_code == 200
    type(contributor).objects.filter(pk=contributor.pk).update(is_active=False)
    assert client.get("/api/v1/projects/").status_code == 401


def test_authenticating_a_token_is_one_query_and_gives_its_user(contributor, django_assert_num_queries):
    token, raw = tokens.token_create(user=contributor, name="counted")
    tokens.token_authenticate(raw=raw)  # writes last_used_at, once a minute
    with django_assert_num_queries(1):
        found = tokens.token_authenticate(raw=raw)
        assert found == token and found.user == contributor and found.user.is_active


def test_an_expired_token_is_refused(project, contributor):
    token, raw = tokens.token_create(
        user=contributor, name="short", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _bearer(raw).get("/api/v1/projects/").status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(project, contributor):
    _, raw = tokens.token_create(user=contributor, name="former colleague")
    contributor.is_active = False
    contributor.save()
    assert _bearer(raw).get("/api/v1/projects/").status_code == 401


def test_a_read_only_token_reads_but_every_write_is_refused_with_403(world, contributor):
    _, raw = tokens.token_create(user=contributor, name="dashboard", read_only=True)
    client = _bearer(raw)
    assert client.get(f"/api/v1/mitigations/{world.mitigation.pk}/").status_code == 200
    writes = [
        client.patch(f"/api/v1/mitigations/{world.mitigation.pk}/", {"status": "verified"}, format="json"),
        client.post("/api/v1/hazards/", {"assessment": world.assessment.pk, "title": "X"}, format="json"),
        client.delete(f"/api/v1/consequences/{world.consequence.pk}/"),
    ]
    assert [r.status_code for r in writes] == [403, 403, 403]
    assert all(r.json()["detail"].startswith("This token is read-only") for r in writes)
    world.mitigation.refresh_from_db()
    assert world.mitigation.status == "proposed"


def test_only_the_owner_of_a_token_can_revoke_it(contributor, reviewer):
    token, _ = tokens.token_create(user=contributor, name="mine")
    with pytest.raises(PermissionDenied, match="your own tokens"):
        tokens.token_revoke(token_id=token.pk, by=reviewer)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_needs_a_name_and_a_future_expiry(contributor):
    with pytest.raises(InvalidInput) as excinfo:
        tokens.token_create(user=contributor, name=" ", expires_at=timezone.now() - datetime.timedelta(days=1))
    assert set(excinfo.value.errors) == {"name", "expires_at"}


def test_last_used_is_written_at_most_once_a_minute(project, contributor, django_assert_num_queries):
    token, raw = tokens.token_create(user=contributor, name="busy")
    client = _bearer(raw)
    client.get("/api/v1/projects/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/v1/projects/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_a_browser_session_works_and_its_writes_need_the_csrf_token(world, contributor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(contributor)
    assert client.get(f"/api/v1/hazards/{world.hazard.pk}/").status_code == 200
    response = client.patch(f"/api/v1/hazards/{world.hazard.pk}/", {"title": "Forged"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.hazard.refresh_from_db()
    assert world.hazard.title != "Forged"
