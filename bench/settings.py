"""Benchmark settings: production settings (DEBUG off, cached templates, persistent connections) served over
plain HTTP on loopback, plus a baseline view. The benchmark runner sets DATABASE_URL, REDIS_URL, SECRET_KEY
and ALLOWED_HOSTS to its own embedded servers before starting gunicorn."""

import warnings

from market.settings.production import *  # noqa: F403
from market.settings.production import BASE_DIR, TEMPLATES

DEBUG = False
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic step for a benchmark: {% static %} resolves plain paths.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# No collectstatic for a benchmark, so WhiteNoise has no STATIC_ROOT to serve from; it says so once per process.
warnings.filterwarnings("ignore", message="No directory at")
