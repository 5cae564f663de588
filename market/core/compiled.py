"""Build an ORM query once, then re-run its SQL with different ids.

For hot paths (order placement) where compiling a query with several EXISTS subqueries costs more CPU
than PostgreSQL spends running it. The query is still written once, with the ORM, where its rule lives;
only the compiled text is reused. `build(key, **ids)` must return the queryset; `key` holds whatever
changes the SQL's shape or constants (today's date, say) and the ids are substituted per call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
from django.db import connection

_SENTINEL = -1_999_999_000  # never a real primary key
_ONLY_WHEN_ASKED = 1 << 30  # a prepare threshold Django's own (client-bound) queries never reach


class CompiledQuery:
    def __init__(self, build: Callable, *ids: str):
        self._build = build
        self._ids = ids
        self._cache: dict = {}

    def _compiled(self, key):
        entry = self._cache.get(key)
        if entry is None:
            sentinels = {name: _SENTINEL - index for index, name in enumerate(self._ids)}
            sql, params = self._build(key, **sentinels).query.sql_with_params()
            slots = [
                (position, name)
                for position, value in enumerate(params)
                for name, sentinel in sentinels.items()
                if type(value) is int and value == sentinel
            ]
            missing = set(self._ids) - {name for _position, name in slots}
            if missing:  # an id compiled into the SQL text itself could not be substituted safely
                raise ValueError(f"{sorted(missing)} are not parameters of the compiled query")
            if len(self._cache) >= 8:
                self._cache.clear()
            self._cache[key] = entry = (sql, tuple(params), slots)
        return entry

    def rows(self, key, **ids: int) -> list[tuple]:
        sql, params, slots = self._compiled(key)
        values = list(params)
        for position, name in slots:
            values[position] = ids[name]
        return run_prepared(sql, values)


def run_prepared(sql: str, params) -> list[tuple]:
    """Run `sql` as a server-side prepared statement on Django's connection; all its rows (none for a command).

    Django opens psycopg connections with prepare_threshold=None (no preparing at all, for connection
    poolers), and its own cursors bind on the client, so every query is parsed and planned again. Here the
    threshold is raised out of reach instead (Django's own queries are still never prepared) and psycopg
    prepares this statement on its first run on a connection (prepare=True), then reuses it: PostgreSQL skips
    parsing, and planning once it settles on a generic plan. psycopg keeps at most 100 per connection. A
    pooler in transaction mode needs protocol-level prepared statements (PgBouncer 1.21+); this project
    connects directly. Database errors come out as Django's (IntegrityError, ...).

    A plain psycopg cursor bypasses Django's debug cursor, so the statement goes through Django's execute
    wrappers and is added to `connection.queries_log` whenever Django is capturing queries (tests, DEBUG), as
    Django's own cursors do: query-count assertions (`django_assert_num_queries`) see it like any query."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # psycopg ignores prepare=True while the threshold is None
        raw.prepare_threshold = _ONLY_WHEN_ASKED

    def run(sql, params, many, context):
        with psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall() if cursor.description is not None else []

    started = time.monotonic()
    with connection.wrap_database_errors:
        call = run
        for wrapper in reversed(connection.execute_wrappers):
            call = _wrapped(wrapper, call)
        rows = call(sql, params, False, {"connection": connection, "cursor": None})
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows


def _wrapped(wrapper, call):
    return lambda sql, params, many, context: wrapper(call, sql, params, many, context)
