"""NettPortal settings: one module, configured by environment variables.

Defaults run on a machine with nothing but Python (SQLite, a database cache and
Celery's filesystem broker under ``var/``). ``DATABASE_URL`` and ``REDIS_URL``
switch the same code to PostgreSQL and Redis. ``NETTPORTAL_ENV=production``
turns on the secure settings and refuses to start without real secrets.
Every variable is listed in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NETTPORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = env("NETTPORTAL_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("NETTPORTAL_ENV must be development, test or production")
IS_PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", "" if IS_PRODUCTION else _DEV_SECRET)
if IS_PRODUCTION and (not SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set (50+ characters) in production")

DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public base URL used in emails, QR codes and router hand-off files.
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

# Keys for secrets encrypted at rest (router passwords, processor credentials).
# Comma-separated Fernet keys, newest first; kept apart from SECRET_KEY so that
# rotating one does not touch the other. See nettportal/crypto.py.
_DEV_ENCRYPTION_KEY = "bmV0dHBvcnRhbC1kZXYtb25seS1lbmNyeXB0aW9uLWs="
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", [] if IS_PRODUCTION else [_DEV_ENCRYPTION_KEY])
if IS_PRODUCTION and not ENCRYPTION_KEYS:
    raise ImproperlyConfigured("ENCRYPTION_KEYS must be set in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "nettportal",
    "accounts",
    "customers",
    "routers",
    "vouchers",
    "billing",
    "portal",
    "support",
    "privacy",
    "notifications",
    "integrations",
    "insights",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserSessionActivityMiddleware",
    "accounts.middleware.TenantMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "insights.middleware.RequestLogMiddleware",
]

ROOT_URLCONF = "nettportal.urls"
WSGI_APPLICATION = "nettportal.wsgi.application"
ASGI_APPLICATION = "nettportal.asgi.application"

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
                "accounts.context_processors.tenant",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if not IS_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, locks) ---------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "nettportal.cache.RedisCache",  # one client per pool, see there
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "np"),
        }
    }
else:
    # A real, shared cache without Redis: a table every process sees.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "nettportal_cache",
        }
    }

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[NettPortal] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "NettPortal"
USERSESSIONS_TRACK_ACTIVITY = False  # our throttled UserSessionActivityMiddleware does it

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Private files (exports, ticket attachments) are never served as static media.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Email ------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "NettPortal <no-reply@nettportal.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiTokenAuthentication",
        "accounts.api_auth.TenantSessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "integrations.rest.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "integrations.rest.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.rest.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_TOKEN_RATE", "600/minute")},
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api_permissions.HasOrgPermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nettportal.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NettPortal API",
    "DESCRIPTION": "REST API for NettPortal operators' integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "DEFAULT_GENERATOR_CLASS": "integrations.schema.TenantSchemaGenerator",
    # Several models have a "status" or "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CustomerTypeEnum": "customers.models.Customer.Type",
        "CustomerStatusEnum": "customers.models.Customer.Status",
        "RouterStatusEnum": "routers.models.Router.Status",
        "ActiveSessionKindEnum": "routers.models.ActiveSession.Kind",
        "VoucherBatchStatusEnum": "vouchers.models.VoucherBatch.Status",
        "PaymentStatusEnum": "billing.models.Payment.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.schema.add_error_responses",
    ],
}

# --- Product settings (one block per app; keep each app's variables in its block) ---------
# accounts
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", True)
# routers
ROUTER_POLL_INTERVAL = env_int("ROUTER_POLL_INTERVAL", 60)
ROUTER_CONNECT_TIMEOUT = float(env("ROUTER_CONNECT_TIMEOUT", "5"))  # TCP + TLS + login
ROUTER_READ_TIMEOUT = float(env("ROUTER_READ_TIMEOUT", "10"))  # each reply sentence
ROUTER_POLL_TIME_LIMIT = env_int("ROUTER_POLL_TIME_LIMIT", 30)  # one router's whole poll
ROUTER_POLL_CHUNK_SIZE = env_int("ROUTER_POLL_CHUNK_SIZE", 200)  # routers per Celery task
ROUTER_POLL_CONCURRENCY = env_int("ROUTER_POLL_CONCURRENCY", 100)  # routers asked at once per task
ROUTER_POLL_MAX_BACKOFF = env_int("ROUTER_POLL_MAX_BACKOFF", 600)  # seconds, offline routers
ROUTER_HISTORY_RETENTION_DAYS = env_int("ROUTER_HISTORY_RETENTION_DAYS", 14)
ROUTER_EVENT_RETENTION_DAYS = env_int("ROUTER_EVENT_RETENTION_DAYS", 90)
ROUTER_TLS_CA_FILE = env("ROUTER_TLS_CA_FILE", "")  # CA bundle for verified API-SSL
# customers
CUSTOMERS_IMPORT_MAX_BYTES = env_int("CUSTOMERS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
CUSTOMERS_IMPORT_MAX_ROWS = env_int("CUSTOMERS_IMPORT_MAX_ROWS", 100_000)
CUSTOMERS_IMPORT_INLINE_ROWS = env_int("CUSTOMERS_IMPORT_INLINE_ROWS", 500)
CUSTOMERS_IMPORT_KEEP_DAYS = env_int("CUSTOMERS_IMPORT_KEEP_DAYS", 7)
CUSTOMERS_SESSION_RETENTION_DAYS = env_int("CUSTOMERS_SESSION_RETENTION_DAYS", 395)
CUSTOMERS_ROLLUP_RETENTION_DAYS = env_int("CUSTOMERS_ROLLUP_RETENTION_DAYS", 1095)
# vouchers
# Where the QR code on a printed card leads ({site}, {org} = organisation slug, {code});
# organisations and batches can override it. The portal serves /p/<slug>/.
VOUCHER_QR_URL_TEMPLATE = env("VOUCHER_QR_URL_TEMPLATE", "{site}/p/{org}/?code={code}")
# Folder with DejaVuSans*.ttf for the cards (₵, ₦…); empty: the usual system folders.
VOUCHER_PDF_FONT_DIR = env("VOUCHER_PDF_FONT_DIR", "")
# billing
# Where Daraja and Paystack are reached. Empty BILLING_MPESA_BASE_URL means Safaricom's
# sandbox or live host, by each account's environment; both are set to the local fakes by
# `make run` and the tests.
BILLING_MPESA_BASE_URL = env("BILLING_MPESA_BASE_URL", "").rstrip("/")
BILLING_PAYSTACK_BASE_URL = env("BILLING_PAYSTACK_BASE_URL", "https://api.paystack.co").rstrip("/")
# Public base URL processors call back to (defaults to SITE_URL).
BILLING_CALLBACK_BASE_URL = env("BILLING_CALLBACK_BASE_URL", SITE_URL).rstrip("/")
BILLING_PROCESSOR_TIMEOUT = env_int("BILLING_PROCESSOR_TIMEOUT", 15)
BILLING_RECONCILE_AFTER_SECONDS = env_int("BILLING_RECONCILE_AFTER_SECONDS", 120)
BILLING_WEBHOOK_MAX_BYTES = env_int("BILLING_WEBHOOK_MAX_BYTES", 64 * 1024)
# portal
# Failed voucher guesses before a lockout, per device (MAC) and per client IP, in a window.
PORTAL_GUESSES_PER_DEVICE = env_int("PORTAL_GUESSES_PER_DEVICE", 5)
PORTAL_GUESSES_PER_IP = env_int("PORTAL_GUESSES_PER_IP", 30)
PORTAL_GUESS_WINDOW = env_int("PORTAL_GUESS_WINDOW", 900)
PORTAL_LOCKOUT_SECONDS = env_int("PORTAL_LOCKOUT_SECONDS", 900)
# Landing-page configs are cached per process: stamp re-checked / rebuilt after (seconds).
PORTAL_CONFIG_RECHECK_SECONDS = env_int("PORTAL_CONFIG_RECHECK_SECONDS", 5)
PORTAL_CONFIG_MAX_AGE = env_int("PORTAL_CONFIG_MAX_AGE", 60)
# Payments a device (MAC) / a client IP may start per hour from landing pages.
PORTAL_PURCHASES_PER_DEVICE = env_int("PORTAL_PURCHASES_PER_DEVICE", 10)
PORTAL_PURCHASES_PER_IP = env_int("PORTAL_PURCHASES_PER_IP", 60)
# A bought voucher waits this long for an offline router before its code is delivered anyway.
PORTAL_ROUTER_GRACE_SECONDS = env_int("PORTAL_ROUTER_GRACE_SECONDS", 120)
# The landing pages and the processors' callbacks skip the dashboard's middleware
# (sessions, users, CSRF cookie…): see nettportal/middleware.py.
_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE[_after_static:_after_static] = [
    "portal.middleware.PublicPortalMiddleware",
    "billing.middleware.ProcessorHooksMiddleware",
]
# Text messages (vouchers bought on the landing page, one-time codes): see nettportal/sms.py.
SMS_BACKEND = env("SMS_BACKEND", "nettportal.sms.ConsoleBackend")
# support
SUPPORT_STAFF_EMAILS = env_list("SUPPORT_STAFF_EMAILS")  # empty: every active staff user
SUPPORT_ATTACHMENT_MAX_BYTES = env_int("SUPPORT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
SUPPORT_ATTACHMENTS_PER_MESSAGE = 5
# notifications
ROUTER_OFFLINE_ALERT_MINUTES = env_int("ROUTER_OFFLINE_ALERT_MINUTES", 5)
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 180)
# integrations (API tokens, webhooks)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24)
WEBHOOK_REPLAY_WINDOW = 300  # seconds a receiver should accept a signature's timestamp
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", not IS_PRODUCTION)
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)
# insights (usage analytics, security log)
ANALYTICS_RAW_RETENTION_DAYS = env_int("ANALYTICS_RAW_RETENTION_DAYS", 90)
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 90)
SECURITY_ALERT_THRESHOLD = env_int("SECURITY_ALERT_THRESHOLD", 20)  # failures per window
SECURITY_ALERT_WINDOW = env_int("SECURITY_ALERT_WINDOW", 300)  # seconds
SECURITY_ALERT_EMAILS = env_list("SECURITY_ALERT_EMAILS")  # empty: every active staff user
# backups
BACKUP_DIR = Path(env("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_RETENTION_DAYS = env_int("BACKUP_RETENTION_DAYS", 30)
# privacy
PRIVACY_EXPORT_ROOT = Path(env("PRIVACY_EXPORT_ROOT", PRIVATE_STORAGE_ROOT / "exports"))
PRIVACY_EXPORT_LINK_DAYS = env_int("PRIVACY_EXPORT_LINK_DAYS", 7)
PRIVACY_REQUEST_DUE_DAYS = 30  # the legal deadline for answering a data-rights request
PRIVACY_DELETION_GRACE_DAYS = env_int("PRIVACY_DELETION_GRACE_DAYS", 30)
PRIVACY_DELETION_REMINDER_DAYS = [
    int(days) for days in env_list("PRIVACY_DELETION_REMINDER_DAYS", ["7", "1"])
]
PRIVACY_LEGAL_RETENTION_YEARS = env_int("PRIVACY_LEGAL_RETENTION_YEARS", 7)
PRIVACY_CHUNK_SIZE = env_int("PRIVACY_CHUNK_SIZE", 2000)
# Retention periods in days. Every retention class of the personal-data registry
# (privacy/registry.py) reads its period from one setting: these, and the app-named ones
# above (ROUTER_HISTORY_RETENTION_DAYS, CUSTOMERS_SESSION_RETENTION_DAYS, ...). One daily
# sweep (privacy.tasks.retention_sweep_task) applies them all; staff may override a class
# in admin → Retention rules.
RETENTION_ACCESS_LOG_DAYS = env_int("RETENTION_ACCESS_LOG_DAYS", 365)
RETENTION_SESSIONS_DAYS = env_int("RETENTION_SESSIONS_DAYS", 395)
RETENTION_USAGE_DAYS = env_int("RETENTION_USAGE_DAYS", 395)
RETENTION_JOBS_DAYS = env_int("RETENTION_JOBS_DAYS", 30)
RETENTION_DELETED_ORGANIZATIONS_DAYS = env_int("RETENTION_DELETED_ORGANIZATIONS_DAYS", 30)
RETENTION_PRIVACY_REPORTS_DAYS = env_int("RETENTION_PRIVACY_REPORTS_DAYS", 730)
RETENTION_VOUCHER_EVENTS_DAYS = env_int("RETENTION_VOUCHER_EVENTS_DAYS", 395)
PRIVACY_TASK_BUDGET_SECONDS = env_int("PRIVACY_TASK_BUDGET_SECONDS", 240)
PRIVACY_STAFF_EMAILS = env_list("PRIVACY_STAFF_EMAILS")
# Suspended organisations see only the privacy centre; staff admin views of
# personal data are written to the access log.
MIDDLEWARE += [
    "privacy.middleware.SuspendedOrganizationMiddleware",
    "privacy.middleware.StaffAdminAccessLogMiddleware",
]

# --- Security (production) ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    # The /healthz probe comes from the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: no personal data in log lines --------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "nettportal.observability.ScrubFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from nettportal.observability import init_sentry

    init_sentry(SENTRY_DSN, environment=ENVIRONMENT)
