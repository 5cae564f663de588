"""The test suite: real PostgreSQL and Redis, started here when DATABASE_URL/REDIS_URL are not set."""

import os

from market.embedded import ensure_services, redis_url_with_database

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

# Under pytest-xdist (`make test` runs the suite in two worker processes, gw0 and gw1) the main pytest process has
# started the servers and put their addresses in the environment its workers inherit. The workers share that
# PostgreSQL (each has its own test database, test_<name>_gw0...), but each starts its own Redis: tests empty the
# cache, count queued tasks and start Celery workers on it. A process a worker starts (a Celery worker) inherits
# MARKET_TEST_REDIS_FOR and so keeps its worker's Redis.
# When the person running the tests gave REDIS_URL, the workers use it too, each its own database number on it.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if not XDIST_WORKER:
    os.environ.setdefault("MARKET_TEST_REDIS_GIVEN", os.environ.get("REDIS_URL", ""))
if XDIST_WORKER and os.environ.get("MARKET_TEST_REDIS_FOR") != XDIST_WORKER:
    given = os.environ.get("MARKET_TEST_REDIS_GIVEN", "")
    if given:
        os.environ["REDIS_URL"] = redis_url_with_database(given, 1 + int(XDIST_WORKER.removeprefix("gw")))
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["MARKET_TEST_REDIS_FOR"] = XDIST_WORKER
ensure_services(f"test-{XDIST_WORKER}" if XDIST_WORKER else "test", ephemeral=True, throwaway=True)

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, CACHES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In this process, emails stay in memory (django.core.mail.outbox); a worker process a test starts is pointed at a
# real (test) mail server through TEST_EMAIL_BACKEND and EMAIL_HOST/EMAIL_PORT.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
_FILES = BASE_DIR / ".embedded" / "test" / XDIST_WORKER  # each xdist worker its own folders
MEDIA_ROOT = _FILES / "media"
CACHES = {"default": {**CACHES["default"], "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "market-test"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = _FILES / "private"
