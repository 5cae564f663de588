"""Reads for the ground floor's own pages: what /healthz reports (can we reach the database and Redis, and has a
Celery worker been alive lately?)."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection

from .health import HEARTBEAT_KEY, redis_client


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _check_redis() -> dict:
    try:
        redis_client().ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _check_worker() -> dict:
    try:
        raw = redis_client().get(HEARTBEAT_KEY)
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if raw is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = time.time() - float(raw)
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE.total_seconds()
    return {"ok": age <= max_age, "last_heartbeat_seconds_ago": round(age, 1)}


def health_report() -> dict:
    checks = {"database": _check_database(), "redis": _check_redis(), "worker": _check_worker()}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
