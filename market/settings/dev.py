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

# Static files through WhiteNoise as in production (the apps' folders indexed at start, no collectstatic), not
# through runserver's own handler, which answered a traversal like /static/..%2f..%2f.embedded/ with a 500. Without
# autorefresh WhiteNoise only serves files it indexed, so a traversal is a plain 404 (a new static file needs a
# restart of `make run`; a changed one does not).
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]  # noqa: F405
WHITENOISE_USE_FINDERS = True
