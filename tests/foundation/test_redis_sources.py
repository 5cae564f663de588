"""Hardening (issue 17, class 2), read from the source: Redis is reached only where a failure is handled.

- A task is asked for only through `market.outbox.tasks_queue.enqueue` (a row first, sent on commit, kept while the
  broker is down): no `.delay(`, `.apply_async(` or `send_task(` anywhere else in the product.
- The cache is read and written only through `market.core.cache` (or the ORUK feed's own, which catches the
  failures), and a raw Redis client only by the worker's heartbeat and /healthz, which report a failure.
Pages with Redis really stopped: tests/storefronts/test_redis_outage.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.foundation.test_import_map import LAYERS

ROOT = Path(__file__).resolve().parents[2]

ENQUEUES = {"delay", "apply_async", "send_task", "delay_on_commit", "apply_async_on_commit"}
MAY_SEND = {"market/outbox/tasks_queue.py"}
MAY_USE_CACHE = {"market/core/cache.py", "oruk/http.py"}
MAY_USE_REDIS = {"market/core/health.py", "market/core/selectors.py"}


def _sources():
    for area in LAYERS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def test_tasks_are_asked_for_only_through_the_queue_that_survives_a_broker_outage():
    offenders = [f"{name}:{node.lineno}" for name, tree in _sources() if name not in MAY_SEND
                 for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ENQUEUES]
    assert offenders == []


def test_the_cache_and_redis_are_reached_only_where_a_failure_is_handled():
    offenders = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.core.cache" and name not in MAY_USE_CACHE:
                offenders.append(f"{name}:{node.lineno} imports the cache directly (use market.core.cache)")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "redis_client" \
                    and name not in MAY_USE_REDIS:
                offenders.append(f"{name}:{node.lineno} opens Redis directly")
            if isinstance(node, ast.Import) and any(alias.name == "redis" for alias in node.names) \
                    and name not in MAY_USE_REDIS:
                offenders.append(f"{name}:{node.lineno} imports redis")
    assert offenders == []
