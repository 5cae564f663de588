"""The suite really runs on PostgreSQL and Redis, and Celery tasks really run in a worker process."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from market.core.health import HEARTBEAT_KEY, redis_client
from tests.conftest import wait_for_heartbeat
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
    wait_for_heartbeat(celery_worker_process)

    # ...the worker has run it, and /healthz is green on all three checks.
    assert redis_client().get(HEARTBEAT_KEY) is not None
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True


def test_every_model_change_has_its_migration(db):
    """A model changed without a migration would apply on no database: `makemigrations --check` finds none."""
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()
