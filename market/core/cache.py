"""The cache (Redis) speeds pages up; it is never a reason for a page to fail.

Every read or write of the cache goes through these helpers: if the cache server cannot be reached, the failure is
logged and the caller carries on as if nothing was cached (a read answers None, a write is skipped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: What a cache server that is down or unreachable raises (redis-py's errors; a socket's).
CACHE_FAILURES = (RedisError, OSError)


def cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except CACHE_FAILURES:
        logger.warning("Cache read of %s failed; carrying on without it", key, exc_info=True)
        return None


def cache_set(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except CACHE_FAILURES:
        logger.warning("Cache write of %s failed; carrying on without it", key, exc_info=True)


def cached(key: str, seconds: int, compute: Callable[[], Any]) -> Any:
    """The cached value, or `compute()` (kept for `seconds` when the cache can take it)."""
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value, seconds)
    return value
