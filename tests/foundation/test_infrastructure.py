"""The suite really runs on PostgreSQL and Redis, and Celery tasks really run in a worker process."""

import os
import subprocess
import sys
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connection

from market.core.health import HEARTBEAT_KEY, redis_client
from worker.tasks import heartbeat


def test_database_is_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 160000


def test_redis_is_a_real_server():
    client = redis_client()
    client.set("market-test:probe", "yes", ex=10)
    assert client.get("market-test:probe") == b"yes"
    assert client.info("server")["redis_version"].startswith(("6.", "7."))


def _worker_environment() -> dict[str, str]:
    database = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "market.settings.test"}
    # The worker must use this test run's database, not the server's default one.
    env["DATABASE_URL"] = f"postgresql://{database['USER']}:@/{database['NAME']}?host={database['HOST']}"
    env["REDIS_URL"] = settings.REDIS_URL
    return env


def _wait_for_heartbeat(process, seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while redis_client().get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        time.sleep(0.2)


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real worker process on this run's Redis and database, started and ready."""
    redis_client().delete(HEARTBEAT_KEY)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=_worker_environment(),
        cwd=settings.BASE_DIR,
    )
    _wait_for_heartbeat(process)
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.worker
def test_a_starting_worker_reports_itself_alive(celery_worker_process):
    assert redis_client().get(HEARTBEAT_KEY) is not None


@pytest.mark.worker
def test_a_task_runs_in_a_real_worker_against_redis(celery_worker_process, client):
    redis_client().delete(HEARTBEAT_KEY)
    # Given no heartbeat, the health check reports the worker as down.
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["worker"] == {"ok": False, "error": "no heartbeat yet"}

    # When the heartbeat task goes through Redis to the worker process...
    heartbeat.delay()
    _wait_for_heartbeat(celery_worker_process)

    # ...the worker has run it, and /healthz is green on all three checks.
    assert redis_client().get(HEARTBEAT_KEY) is not None
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True
