"""SQL that must live in the database (functions, triggers) is written once, in versioned `.sql` files beside
its app.

Each app keeps its database code in `<app>/sql/<name>.sql`, as idempotent statements (`CREATE OR REPLACE
FUNCTION`, `CREATE OR REPLACE TRIGGER`). A migration applies a file with `RunSQLFile(app, name, checksum)`, the
checksum naming the version of the file it was written for. A later change edits the file (one diff) and adds a
migration that applies it again with the new checksum; tests/foundation/test_sql_files.py fails, giving the
checksum, until it does. Function bodies are not checked when a file is applied (`check_function_bodies` off, as
pg_dump restores do), so on an empty database an early migration may apply today's file before later migrations
have added the columns its functions use: they are looked up only when the functions run.
"""

from __future__ import annotations

import hashlib
from importlib import import_module
from pathlib import Path

from django.db import migrations


def sql_path(app: str, name: str) -> Path:
    """`<app's package folder>/sql/<name>`: e.g. sql_path("orders", "ledger.sql")."""
    return Path(import_module(app).__file__).resolve().parent / "sql" / name


def sql_checksum(app: str, name: str) -> str:
    """The first 12 hex digits of the file's SHA-256: which version of it a migration applies."""
    return hashlib.sha256(sql_path(app, name).read_bytes()).hexdigest()[:12]


def sql_text(app: str, name: str) -> str:
    return "SET LOCAL check_function_bodies = off;\n" + sql_path(app, name).read_text()


class RunSQLFile(migrations.RunSQL):
    """Apply one of an app's .sql files. Reversing leaves what it made in place (the previous definitions are in
    version control) unless `reverse_sql` says otherwise."""

    def __init__(self, app: str, name: str, checksum: str, reverse_sql=migrations.RunSQL.noop):
        self.app, self.name, self.checksum = app, name, checksum
        super().__init__(sql_text(app, name), reverse_sql)

    def deconstruct(self):
        kwargs = {"app": self.app, "name": self.name, "checksum": self.checksum}
        if self.reverse_sql is not migrations.RunSQL.noop:
            kwargs["reverse_sql"] = self.reverse_sql
        return self.__class__.__qualname__, [], kwargs

    def describe(self):
        return f"Apply {self.app}/sql/{self.name} ({self.checksum})"
