"""Production settings refuse to start without their secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "a-production-like-secret-with-enough-entropy-!@#",
    "ALLOWED_HOSTS": "care.example.org",
    "DATABASE_URL": "postgres://market:market@db.invalid:5432/market",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.update({"DJANGO_SETTINGS_MODULE": "market.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_a_required_setting(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
