"""Every app's .sql files (market.core.sql) are applied, at their current version, by a migration.

A file edited without a migration that applies it again would leave an existing database on the old definitions
(a fresh one, which runs every migration against today's files, would not show it): this test names the file and
the checksum the new migration must give."""

from __future__ import annotations

from pathlib import Path

from django.db.migrations.loader import MigrationLoader

from market.core.sql import RunSQLFile, sql_checksum

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("market.core", "market.accounts", "market.places", "market.taxonomy", "providers", "directory", "orders",
        "community", "commissioning", "cms")


def _sql_files() -> set[tuple[str, str]]:
    files = set()
    for app in APPS:
        folder = ROOT.joinpath(*app.split(".")) / "sql"
        files |= {(app, path.name) for path in folder.glob("*.sql")}
    return files


def _latest_applied() -> dict[tuple[str, str], str]:
    """(app, file) -> the checksum of the last migration, in the order migrations run, that applies it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    order = []
    for leaf in loader.graph.leaf_nodes():
        order += [key for key in loader.graph.forwards_plan(leaf) if key not in order]
    latest = {}
    for key in order:
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunSQLFile):
                latest[(operation.app, operation.name)] = operation.checksum
    return latest


def test_every_sql_file_is_applied_at_its_current_version():
    files = _sql_files()
    latest = _latest_applied()
    assert ("providers", "listing.sql") in files

    stale = {
        f"{app}/sql/{name}": f"add a migration with RunSQLFile({app!r}, {name!r}, {sql_checksum(app, name)!r})"
        for app, name in sorted(files)
        if latest.get((app, name)) != sql_checksum(app, name)
    }
    assert stale == {}
    assert set(latest) <= files, "a migration applies a .sql file that no longer exists"
