"""Fixtures of the browser-view tests (shared with the other web test package), and API clients for the tests
that compare a page with its API."""

from tests.api.conftest import api_client_for
from tests.webtools import client_for

__all__ = ["api_client_for", "client_for"]
