"""The worker's heartbeat in Redis: written on a beat schedule, read by /healthz
(`market.core.selectors.health_report`)."""

from __future__ import annotations

import time
from functools import lru_cache

import redis
from django.conf import settings

HEARTBEAT_KEY = "market:worker-heartbeat"


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def heartbeat_record() -> None:
    """Called by the worker on a beat schedule: 'a worker was alive at this time'."""
    redis_client().set(HEARTBEAT_KEY, str(time.time()), ex=24 * 3600)
