"""Environment for the test run, set before Django reads its settings (loaded with `-p`)."""

import os

# Tests run with DEBUG off, as production does, so they need a non-development key. Plain-HTTP
# test clients must not be redirected to HTTPS.
os.environ.setdefault("SECRET_KEY", "test-only-key-7c1f0f2bb0a84c3f9d6e5a4b3c2d1e0f-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hazlog")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same test are
# safe because nothing else runs in that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
