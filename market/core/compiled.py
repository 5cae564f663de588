"""Build an ORM query once, then re-run its SQL with different ids.

For hot paths (order placement) where compiling a query with several EXISTS subqueries costs more CPU
than PostgreSQL spends running it. The query is still written once, with the ORM, where its rule lives;
only the compiled text is reused. `build(key, **ids)` must return the queryset; `key` holds whatever
changes the SQL's shape or constants (today's date, say) and the ids are substituted per call.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from django.db import connection

_SENTINEL = -1_999_999_000  # never a real primary key


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
        connection.ensure_connection()
        # A server-side prepared statement (psycopg prepares it on its 5th run on a connection): PostgreSQL
        # then skips parsing and planning too. Django's own cursors bind on the client and never prepare.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()
