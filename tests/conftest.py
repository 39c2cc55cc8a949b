"""Shared fixtures: a fixed cast of users with one role each in one project, plus an outsider."""

import os

import pytest
from django.core.cache import cache
from django.test import override_settings

from assessments.models import Role
from tests.factories import ProjectFactory, UserFactory, add_member, make_assessment

# Fixtures defined in their own modules, for the test packages that share them.
pytest_plugins = ["tests.hazards.portfolio_world", "tests.oidc_provider.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and cached values must not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_down():
    """The cache is Redis that does not answer (nothing listens on the discard port), failing fast; undone
    before the cache is cleared after the test."""
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests (and live_server) serve files through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    """Evidence files of each test in its own directory, never in the project's var/."""
    root = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def celery_eager():
    """Run tasks in the calling thread (the worker's code, without a broker), as the embedded default does."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def owner(db):
    return UserFactory(username="olivia")


@pytest.fixture
def contributor(db):
    return UserFactory(username="alice")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="bob")


@pytest.fixture
def approver(db):
    return UserFactory(username="carol")


@pytest.fixture
def approver2(db):
    return UserFactory(username="dave")


@pytest.fixture
def viewer(db):
    return UserFactory(username="victor")


@pytest.fixture
def outsider(db):
    return UserFactory(username="mallory")


@pytest.fixture
def project(owner, contributor, reviewer, approver, approver2, viewer):
    project = ProjectFactory(name="Coding assistant rollout")
    add_member(project, owner, Role.OWNER)
    add_member(project, contributor, Role.CONTRIBUTOR)
    add_member(project, reviewer, Role.REVIEWER)
    add_member(project, approver, Role.APPROVER)
    add_member(project, approver2, Role.APPROVER)
    add_member(project, viewer, Role.VIEWER)
    return project


@pytest.fixture
def other_project(outsider):
    """A project only the outsider belongs to."""
    project = ProjectFactory(name="Someone else's project")
    add_member(project, outsider, Role.OWNER)
    return project


@pytest.fixture
def assessment(project, contributor):
    return make_assessment(project, contributor, title="IDE assistant rollout", model_name="CodeGen-X")


@pytest.fixture
def catalogue(db):
    from hazards import services

    services.catalogue_load()


# Debian's chromium, headless as root: Playwright cannot download its own browsers here, and Chromium
# must not try to reach Google's hosts on this closed network (dependencies.md §6, gotchas G2 and G3).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }
