"""Fixtures of the browser-view tests (shared with the other web test package)."""

from tests.webtools import client_for

__all__ = ["client_for"]
