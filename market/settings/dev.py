"""Local development: embedded PostgreSQL and Redis unless DATABASE_URL/REDIS_URL say otherwise.

`make run` starts the embedded servers once and passes their addresses to every process it starts.
"""

import os

from market.embedded import ensure_services

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
ensure_services("dev")

from .base import *  # noqa: E402,F403

INTERNAL_IPS = ["127.0.0.1"]
