"""Settings for the whole platform, read from the environment (see README "Configuration").

With ``DEBUG`` off nothing falls back to a demo value: a missing or weak ``SECRET_KEY``, or a
missing ``FIELD_ENCRYPTION_KEYS`` or ``BLIND_INDEX_KEY``, stops the process before it serves
anything (``core.crypto`` also refuses keys of the wrong format when the apps load).
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import webapp
from core import demo_secrets

BASE_DIR = Path(__file__).resolve().parents[2]
BACKEND_DIR = BASE_DIR / "backend"
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = DEBUG

if DEBUG:
    _demo = demo_secrets.load_or_create(VAR_DIR)
    SECRET_KEY = env.str("SECRET_KEY", default=_demo["secret_key"])
    FIELD_ENCRYPTION_KEYS = env.str("FIELD_ENCRYPTION_KEYS", default=_demo["field_encryption_keys"])
    BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default=_demo["blind_index_key"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    FIELD_ENCRYPTION_KEYS = env.str("FIELD_ENCRYPTION_KEYS", default="")
    BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
        )
    if not FIELD_ENCRYPTION_KEYS.strip():
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    if not BLIND_INDEX_KEY.strip():
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "channels",
    "rest_framework",
    "knox",
    "guardian",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "agencies",
    "audit",
    "children",
    "consent",
    "pathways",
    "referrals",
    "caseplans",
    "notifications",
    "governance",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer probes before host checks, redirects and sessions.
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.access_log.AccessLogMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "core.outages.DependencyOutageMiddleware",
    # Before WhiteNoise, so the files it serves (index.html above all) carry the policy too.
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # instead of failing half-way; WAL lets readers carry on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A database that does not answer (rather than refusing) costs seconds, not a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # A pool of connections per process: opening one per request cost more than the
    # request's queries (bench/README.md), and under ASGI a pool is how connections are
    # reused safely (persistent connections are not, Django's advice).
    # While the database is away a request waits at most `timeout` for a connection, then
    # answers 503 (core.outages), and the pool gives up reconnecting after a few seconds rather
    # than backing off for minutes, so the next request after the database is back connects
    # at once. (CONN_HEALTH_CHECKS below makes the pool check a connection before lending it.)
    DATABASES["default"]["OPTIONS"].setdefault(
        "pool",
        {
            "min_size": 2,
            "max_size": env.int("DATABASE_POOL_SIZE", default=10),
            "timeout": 5,
            "reconnect_timeout": 5,
        },
    )
    # Requests run short, index-driven queries: parallel workers cost more to start than they
    # save, and the planner picks them when it misjudges how much of an inbox it must read.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c max_parallel_workers_per_gather=0")
# A dropped connection is replaced on the next request, so the platform recovers by itself
# when the database comes back (core.outages).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A socket waits on Redis in blocking reads of up to 5 s; redis-py's own
                # default read timeout is also 5 s, which would end idle sockets at random.
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}
                ],
                "prefix": env.str("CHANNELS_PREFIX", default="asgi"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Separates the counters (login throttles) of platforms sharing one Redis.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: django-tasks on its database backend, so enqueueing is a row written in the
# caller's transaction and no broker is needed. `manage.py db_worker` runs the tasks and
# `manage.py run_scheduler` enqueues the periodic sweeps (see notifications.sweeps).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# No anonymous guardian user: anonymous callers never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# The built web app (`make frontend`), served at the site root by WhiteNoise; client routes
# fall through to config.webapp.index. Hashed assets are cached for good, index.html never.
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
WHITENOISE_ROOT = FRONTEND_DIST
WHITENOISE_IMMUTABLE_FILE_TEST = webapp.is_hashed_asset
WHITENOISE_ADD_HEADERS_FUNCTION = webapp.add_static_headers

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A session ends after this long without a request, and after the absolute limit however
# active it is (accounts.middleware); the cookie itself goes when the browser closes.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=15) * 60
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A second factor (TOTP, recovery codes) for every session sign-in; off in demo mode so the
# demo people sign in with their password alone. People who set one up are always asked.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=not DEMO_MODE)
OTP_TOTP_ISSUER = env.str("MFA_ISSUER", default="Safeguarding platform")
# One policy for every response (django-csp), the web app's index.html included: the built
# app has no inline scripts or styles and loads everything from this origin. The API docs
# page relaxes it for itself only (config.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are refused by browsers unless Secure, for path / and without a domain:
    # no subdomain or plain-HTTP page can set or overwrite them. (Plain names in demo mode,
    # which is served over HTTP.)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens first, so an unauthenticated call gets 401 with a WWW-Authenticate challenge.
        "core.authentication.TokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.access.DeclaredAccess"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "login_username": env.str("LOGIN_USERNAME_THROTTLE_RATE", default="5/min"),
        "second_factor": env.str("MFA_THROTTLE_RATE", default="5/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguarding referral and support coordination API",
    "DESCRIPTION": "Referrals, case plans, consent and the pathway directory, across agencies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "Role": "agencies.models.Role",
        "AgencyKind": "agencies.models.AgencyKind",
        "NotificationKind": "notifications.models.NotificationKind",
        "NeedCategory": "pathways.vocabulary.NeedCategory",
        "Urgency": "pathways.vocabulary.Urgency",
        "IntakeStatus": "pathways.vocabulary.IntakeStatus",
        "PathwayStatus": "pathways.vocabulary.PathwayStatus",
        "MatchSource": "pathways.vocabulary.MatchSource",
        "MatchReasonCode": "pathways.vocabulary.MatchReasonCode",
        "HsdsObjectType": "pathways.vocabulary.HsdsObjectType",
        "DataCategory": "consent.models.DataCategory",
        "ReferralStatus": "referrals.models.ReferralStatus",
        "LawfulBasisEnum": "consent.models.LawfulBasis",
        "Purpose": "consent.models.Purpose",
        "CasePlanStatus": "caseplans.models.PlanStatus",
        "CasePhase": "caseplans.models.Phase",
        "ClosureReason": "caseplans.models.ClosureReason",
        "TeamRole": "caseplans.models.TeamRole",
        "TeamMembershipEnd": "caseplans.models.MembershipEnd",
        "PlanActionStatus": "caseplans.models.ActionStatus",
        "RiskDomain": "caseplans.models.RiskDomain",
        "RiskLevel": "caseplans.risk.RiskLevel",
        "RiskAssessmentStatus": "caseplans.models.AssessmentStatus",
        "ReviewStatus": "caseplans.models.ReviewStatus",
    },
}

# Directory entries not verified for longer than this are listed to their agency's admins.
PATHWAYS_VERIFY_AFTER_DAYS = env.int("PATHWAYS_VERIFY_AFTER_DAYS", default=180)

# How long a break-glass access to a child's record stays open (governance).
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)
# Closed case plans are purged this many days after closing (7 years), unless held.
RETENTION_CLOSED_CASE_DAYS = env.int("RETENTION_CLOSED_CASE_DAYS", default=2555)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# One JSON object per line in production (for a log shipper), readable lines in demo mode.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Its warnings quote the driver's error, which names the database host and user; an
        # outage is logged by core.health and core.outages instead (the error's class only).
        "psycopg.pool": {"level": "ERROR"},
        # uvicorn's own lines in the same format; its access log prints raw URLs (query
        # strings included), so core.access_log's line replaces it.
        "uvicorn": {"handlers": ["console"], "propagate": False},
        "uvicorn.access": {"handlers": [], "propagate": False},
    },
}
