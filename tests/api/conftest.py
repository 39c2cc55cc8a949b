"""Fixtures of the API tests: clients that authenticate with a personal token, as sync clients do."""

import pytest
from rest_framework.test import APIClient

from assessments.services import tokens


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
