"""Run hot public-page queries as server-side prepared statements, visibly to Django's query log.

`market.core.compiled.CompiledQuery` compiles an ORM query once and re-runs its SQL through a plain psycopg
cursor, which psycopg prepares on the server from its 5th run on a connection (PostgreSQL then skips parsing
and planning). That cursor bypasses Django's debug cursor, so `assertNumQueries`/`CaptureQueriesContext`
would not see the query. The directory's query-count tests must stay honest, so everything here records
each statement in `connection.queries_log` whenever Django is capturing queries (tests, DEBUG), exactly as
Django's own cursors do, and goes through Django's execute wrappers.

Caveats (as for CompiledQuery): prepared statements live on one connection, so a transaction-pooling
pgbouncer in front of PostgreSQL needs `prepare_threshold=None` (psycopg then never prepares); the SQL
text is the cache key, so only a bounded number of shapes should be run this way.
"""

from __future__ import annotations

import time

import psycopg
from django.db import connection

from market.core.compiled import CompiledQuery


def execute(sql: str, params) -> list[tuple]:
    """Execute `sql` with server-side binding (prepared from the 5th run on this connection); all rows."""
    connection.ensure_connection()

    def run(sql, params, many, context):
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params)
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


class CountedCompiledQuery(CompiledQuery):
    """A CompiledQuery whose runs Django counts (see the module's docstring)."""

    def rows(self, key, **ids: int) -> list[tuple]:
        sql, params, slots = self._compiled(key)
        values = list(params)
        for position, name in slots:
            values[position] = ids[name]
        return execute(sql, values)
