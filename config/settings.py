"""Django settings, read from the environment only (see .env.example for every variable).

Unset DATABASE_URL and REDIS_URL give the embedded default: a SQLite file, tasks run in-process and a
local-memory cache. Production differs from development by environment, never by code.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Refused below unless DEBUG is on; it only signs sessions on a developer machine.
DEVELOPMENT_SECRET_KEY = "development-only-key-do-not-use-in-production-hazlog-0000000000000000"  # noqa: S105


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off; "
        "the development key is only accepted with DEBUG=true."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mozilla_django_oidc",
    "assessments",
    "hazards",
    "evaluations",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks a session verified by a second factor, then holds staff until they enrol.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.CSPMiddleware",  # django-csp's, with the header built once (config/csp.py)
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if env_bool("DATABASE_PREPARED_STATEMENTS", True) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Parameters bound by the server, and a statement run 5 times on a connection prepared there, so that
        # PostgreSQL stops planning it again on every request (issue 10). Safe with Django's own persistent
        # connections; not behind a pooler in transaction mode (PgBouncer before 1.21 loses prepared statements).
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "hazlog.sqlite3",
            # Several requests write at once in the embedded server; wait for the lock, don't fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hazlog",
            # A Redis outage must not break pages: give up on the cache quickly.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Tasks are idempotent, so a task whose worker dies is delivered again rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unacknowledged task comes back after this long; it must exceed the longest task (exports).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Publishing reconnects through these (not CELERY_BROKER_CONNECTION_MAX_RETRIES, which is the
    # worker's): without them a request waits ~6 s for a Redis that is down before it can say so.
    "max_retries": env_int("CELERY_PUBLISH_MAX_RETRIES", 1),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis to come back however long it is down (None: retry forever); publishing from a
# request fails fast instead, through the transport options above.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "UTC"

# --- Auth ------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Managers land on the portfolio, everyone else on My work (hazards.views.dashboard.landing).
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"
# The OpenID Connect backend only answers a callback from the provider (a code and a state), so it can always
# be listed; it refuses everything while OIDC_RP_CLIENT_ID is empty.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.backend.OidcBackend",
]
# The issuer names the authenticator app entry next to the account name ("Hazlog: olivia").
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "Hazlog")
# Never show a TOTP key (or its QR code) again after enrolment, in the admin or anywhere.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Single sign-on (OpenID Connect, mozilla-django-oidc; see docs/sign-in.md) -----------------------
# Off while OIDC_RP_CLIENT_ID is empty. Endpoints not given are read from the discovery document.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
# Where signing out also ends the provider's session (RP-initiated logout); from discovery when not given.
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_STORE_ID_TOKEN = True  # the ID token is the provider's hint of whose session to end
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLE_MAP = env_str("OIDC_GROUP_ROLE_MAP")
# Tolerated difference between our clock and the provider's when checking an ID token's exp, iat and nbf.
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", 60)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"  # files are only served through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence files: never under a URL of their own, only served by the permission-checked download views.
    "attachments": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("ATTACHMENT_S3_BUCKET"),
                "endpoint_url": env_str("ATTACHMENT_S3_ENDPOINT_URL") or None,
                "region_name": env_str("ATTACHMENT_S3_REGION") or None,
                # Empty keys leave boto3 to its own chain (instance role, AWS_* variables).
                "access_key": env_str("ATTACHMENT_S3_ACCESS_KEY_ID") or None,
                "secret_key": env_str("ATTACHMENT_S3_SECRET_ACCESS_KEY") or None,
                "location": env_str("ATTACHMENT_S3_PREFIX", "attachments"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": True,  # names are content hashes: the same name is the same bytes
            },
        }
        if env_str("ATTACHMENT_S3_BUCKET")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": env_str("ATTACHMENT_ROOT", str(BASE_DIR / "var" / "attachments")),
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Evidence attachments (hazards/attachments/limits.py reads these): the largest file, and which types are kept.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_TYPES = env_list("ATTACHMENT_TYPES", "pdf,png,jpeg,text,csv,json,markdown,xlsx,docx,html")

# --- E-mail ----------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hazlog <hazlog@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security --------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions with their lookup compiled once per connection (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"

# Scripts and styles only from our own origin: htmx is vendored and configured not to eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- REST framework --------------------------------------------------------------------------------
# Set once here so that every viewset on the router (including ones added later) gets the same token
# auth, read-only-token rule, throttles, sync pagination, error shape and schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "assessments.rest.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["assessments.rest.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "assessments.rest.throttling.AnonymousThrottle",
        "assessments.rest.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "exports": env_str("API_THROTTLE_EXPORTS", "60/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "assessments.rest.pagination.SyncCursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "assessments.rest.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "assessments.rest.schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": ["assessments.rest.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Teams that want no last-write-wins at all: every API write to a versioned object must carry If-Match (428).
HAZLOG_API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Hazlog API",
    "DESCRIPTION": (
        "Hazard analyses and risk assessments for AI code-synthesis deployments. Authenticate with a personal "
        "token (`Authorization: Bearer <token>`). Every mutable resource has an `ETag`; send it back in "
        "`If-Match` on PATCH/PUT/DELETE so a stale write is refused with 412 instead of overwriting someone "
        "else's change. POSTs honour `Idempotency-Key`. Lists page with a cursor in a stable order and take "
        "`updated_since`. Errors are `{detail, code, errors?}`. See docs/api.md in the repository."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MitigationStatusEnum": "hazards.models.register.MitigationStatus",
        "AssessmentStatusEnum": "assessments.models.projects.Status",
        "RoleEnum": "assessments.models.projects.Role",
        "CategoryEnum": "hazards.models.register.Category",
        # Two choice sets share the field name "kind": each keeps a stable name (KindEnum as before).
        "KindEnum": "hazards.models.register.MitigationKind",
        "AttachmentKindEnum": "hazards.models.attachments.AttachmentKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "assessments.rest.schema.declare_text_filters_refuse_nul",
    ],
}
# How far behind the oldest open transaction a list's `next_updated_since` is set, to cover the time between
# a write taking its timestamp and its statement reaching the database, and clock skew between app servers.
HAZLOG_SYNC_MARGIN_SECONDS = env_int("API_SYNC_MARGIN_SECONDS", 2)
# How long a replayable response is kept for an Idempotency-Key.
HAZLOG_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24)

# --- Domain settings -------------------------------------------------------------------------------
HAZLOG_WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
# A delivery that fails is retried after base, 2 × base, 4 × base ... seconds until this many attempts.
HAZLOG_WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
HAZLOG_WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
HAZLOG_WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# How often the sweep looks for deliveries that are due (lost tasks, a broker outage, a killed worker).
HAZLOG_WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60)
# How long finished deliveries stay in the delivery log.
HAZLOG_WEBHOOK_LOG_DAYS = env_int("WEBHOOK_LOG_DAYS", 30)
HAZLOG_EXPORT_TTL_HOURS = env_int("EXPORT_TTL_HOURS", 72)
# Processes that lay out the parts of one PDF report at the same time; 0 means one per CPU available.
HAZLOG_PDF_PROCESSES = env_int("PDF_PROCESSES", 0)
HAZLOG_REMINDER_HOUR = env_int("REMINDER_HOUR", 6)
HAZLOG_REVIEW_REMINDER_DAYS = env_int("REVIEW_REMINDER_DAYS", 3)
HAZLOG_EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)
HAZLOG_IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2000)

# --- Model endpoints (evaluations.endpoint) ----------------------------------------------------------
# Local model servers (vLLM, Ollama, llama.cpp) on a private network are a real use; off by default all
# the same, because the base URL is typed by project owners and called from inside the workers' network.
HAZLOG_EVAL_ENDPOINT_ALLOW_PRIVATE = env_bool("EVAL_ENDPOINT_ALLOW_PRIVATE", False)
HAZLOG_EVAL_ENDPOINT_CONNECT_TIMEOUT_SECONDS = env_float("EVAL_ENDPOINT_CONNECT_TIMEOUT_SECONDS", 10.0)
# The time the endpoint has to deliver its whole answer (answers are not streamed, so nothing arrives sooner).
HAZLOG_EVAL_ENDPOINT_READ_TIMEOUT_SECONDS = env_float("EVAL_ENDPOINT_READ_TIMEOUT_SECONDS", 180.0)
# Retries of one request after its first attempt (429, 5xx, timeouts, connection errors, malformed answers).
HAZLOG_EVAL_ENDPOINT_RETRIES = env_int("EVAL_ENDPOINT_RETRIES", 4)
# Retry k waits about base × 2^k seconds (half of it random), at most the maximum, which also caps Retry-After.
HAZLOG_EVAL_ENDPOINT_BACKOFF_BASE_SECONDS = env_float("EVAL_ENDPOINT_BACKOFF_BASE_SECONDS", 1.0)
HAZLOG_EVAL_ENDPOINT_BACKOFF_MAX_SECONDS = env_float("EVAL_ENDPOINT_BACKOFF_MAX_SECONDS", 60.0)
# Requests one run keeps in flight at once.
HAZLOG_EVAL_ENDPOINT_CONCURRENCY = env_int("EVAL_ENDPOINT_CONCURRENCY", 4)
# A PEM file of the certificate authorities HTTPS endpoints are checked against (a company CA for a model server
# on the local network). Empty: the public CAs of the certifi bundle.
HAZLOG_EVAL_ENDPOINT_CA_BUNDLE = env_str("EVAL_ENDPOINT_CA_BUNDLE")
# Fernet keys (comma-separated, newest first) that encrypt the endpoints' API keys at rest: the first encrypts,
# all decrypt, so a new key goes in front and the old one stays until stored keys are re-encrypted. Empty: a
# key derived from SECRET_KEY (and SECRET_KEY_FALLBACKS) is used.
HAZLOG_EVAL_ENDPOINT_ENCRYPTION_KEYS = env_list("EVAL_ENDPOINT_ENCRYPTION_KEYS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; only its warnings (e.g. a refused fetch) matter.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# --- Evaluation sandbox (evaluations/sandbox): every sample of model-written code runs in bubblewrap ---
HAZLOG_EVAL_SANDBOX_BWRAP = env_str("EVAL_SANDBOX_BWRAP", "bwrap")
HAZLOG_EVAL_SANDBOX_CPU_SECONDS = env_int("EVAL_SANDBOX_CPU_SECONDS", 5)
HAZLOG_EVAL_SANDBOX_WALL_SECONDS = env_float("EVAL_SANDBOX_WALL_SECONDS", 10.0)
HAZLOG_EVAL_SANDBOX_MEMORY_MB = env_int("EVAL_SANDBOX_MEMORY_MB", 512)
HAZLOG_EVAL_SANDBOX_PROCESSES = env_int("EVAL_SANDBOX_PROCESSES", 64)
HAZLOG_EVAL_SANDBOX_OUTPUT_BYTES = env_int("EVAL_SANDBOX_OUTPUT_BYTES", 64 * 1024)
HAZLOG_EVAL_SANDBOX_FILE_MB = env_int("EVAL_SANDBOX_FILE_MB", 16)
HAZLOG_EVAL_SANDBOX_TMP_MB = env_int("EVAL_SANDBOX_TMP_MB", 32)
# Samples run at once per worker process (0: one per CPU).
HAZLOG_EVAL_SANDBOX_WORKERS = env_int("EVAL_SANDBOX_WORKERS", 0)
# Development only, and only honoured with DEBUG on: run samples without isolation when bwrap is missing.
HAZLOG_EVAL_SANDBOX_ALLOW_UNSAFE = env_bool("EVAL_SANDBOX_ALLOW_UNSAFE", False)
