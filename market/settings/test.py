"""The test suite: real PostgreSQL and Redis, started here when DATABASE_URL/REDIS_URL are not set."""

import os

from market.embedded import ensure_services

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
ensure_services("test", ephemeral=True)

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, CACHES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In this process, emails stay in memory (django.core.mail.outbox); a worker process a test starts is pointed at a
# real (test) mail server through TEST_EMAIL_BACKEND and EMAIL_HOST/EMAIL_PORT.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
MEDIA_ROOT = BASE_DIR / ".embedded" / "test" / "media"
CACHES = {"default": {**CACHES["default"], "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "market-test"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = BASE_DIR / ".embedded" / "test" / "private"
