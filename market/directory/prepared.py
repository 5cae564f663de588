"""Run hot public-page queries as server-side prepared statements, visibly to Django's query log.

Django opens psycopg connections with `prepare_threshold=None` (psycopg never prepares) and binds parameters on
the client, so PostgreSQL parses and plans every query again: ~1.4 ms of a directory search's page query is
planning (the listing rule's subqueries). `execute()` runs a statement through a plain psycopg cursor with
`prepare=True`, after raising the connection's threshold out of reach (so Django's own queries are still never
prepared): psycopg prepares it on its first run on a connection and reuses it after (a statement per SQL
text and parameter types; psycopg keeps at most 100 per connection).

Such a cursor bypasses Django's debug cursor, so `assertNumQueries`/`CaptureQueriesContext` would not see
the query. The directory's query-count tests must stay honest, so each statement goes through Django's
execute wrappers and is recorded in `connection.queries_log` whenever Django is capturing queries (tests,
DEBUG), as Django's own cursors do.

Caveat: a connection pooler in transaction mode needs protocol-level prepared statement support
(PgBouncer 1.21+); this project connects to PostgreSQL directly.
"""

from __future__ import annotations

import time

import psycopg
from django.db import connection

from market.core.compiled import CompiledQuery

_ONLY_WHEN_ASKED = 1 << 30  # a prepare threshold Django's own (client-bound) queries never reach


def execute(sql: str, params) -> list[tuple]:
    """Execute `sql` as a prepared statement on Django's connection; all its rows (none for a command)."""
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


class CountedCompiledQuery(CompiledQuery):
    """A CompiledQuery whose runs Django counts (see the module's docstring)."""

    def rows(self, key, **ids: int) -> list[tuple]:
        sql, params, slots = self._compiled(key)
        values = list(params)
        for position, name in slots:
            values[position] = ids[name]
        return execute(sql, values)
