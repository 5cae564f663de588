"""The test database, migrated once and kept as a dump that later runs (and the other xdist workers) restore.

Migrating an empty database takes about 50 s (Django renders the state of some 260 migrations); restoring a dump
of the result takes about 1.5 s. The dump lives in `.embedded/test-cache/migrated-<key>.dump`, where the key is a
hash of everything that decides what migrating produces: every migration, every `.sql` file, the models, app
configs and Wagtail hooks (they feed post_migrate), the settings, the installed packages' versions, Python's and
the server's versions. Change any of them and the next run migrates from empty again and writes a new dump; a fresh
clone has no dump and migrates. After a restore, Django's own `migrate` still runs (keepdb), so it would apply any
migration the dump lacks and re-run post_migrate (content types, permissions).

`MARKET_TEST_DB_CACHE=off` migrates from empty every time and keeps nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import subprocess
import sys
import warnings
from importlib import metadata
from pathlib import Path

from django.conf import settings

CACHE_DIR = Path(settings.BASE_DIR) / ".embedded" / "test-cache"
KEEP = 4  # dumps kept (the newest), so switching branches back and forth stays fast

_SKIP_DIRS = {".venv", ".embedded", ".git", "tests", "bench", "node_modules", "staticfiles", "test-artifacts"}
_KEY_NAMES = {"models.py", "apps.py", "wagtail_hooks.py", "sql.py", "embedded.py"}


def _key_files(root: Path) -> list[Path]:
    """The project's files that decide what migrating produces."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        here = Path(folder)
        parts = here.relative_to(root).parts
        for name in sorted(files):
            path = here / name
            if (
                name.endswith(".sql")
                or (name.endswith(".py") and ("migrations" in parts or "models" in parts or "settings" in parts))
                or name in _KEY_NAMES
            ):
                found.append(path)
    return found


def cache_key(*, root: Path, server_version: str) -> str:
    digest = hashlib.sha256()
    for path in _key_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}".lower() for dist in metadata.distributions())
    digest.update("\n".join([*packages, sys.version, server_version]).encode())
    return digest.hexdigest()[:24]


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore from the pgserver wheel that runs the embedded server (the same major version)."""
    # Found without importing pgserver, whose import warns (from platformdirs) inside a test session.
    package = Path(importlib.util.find_spec("pgserver").origin).parent
    return str(package / "pginstall" / "bin" / name)


def _libpq_env(settings_dict: dict, name: str) -> dict[str, str]:
    options = settings_dict.get("OPTIONS") or {}
    env = {**os.environ, "PGDATABASE": name}
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST") or options.get("host")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
    ):
        if value:
            env[variable] = str(value)
    return env


@contextlib.contextmanager
def _locked(path: Path):
    """One process at a time (the xdist workers of one run, or two runs side by side) builds or reads the dump."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _restore(connection, dump: Path, name: str) -> bool:
    """Create the test database `name` from the dump; False (and no database) if that fails."""
    quoted = connection.ops.quote_name(name)
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted}")
    restored = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={name}",
         str(dump)],
        env=_libpq_env(connection.settings_dict, name), capture_output=True, text=True, check=False,
    )
    if restored.returncode != 0:
        warnings.warn(f"Could not restore the migrated test database ({restored.stderr.strip()}); migrating instead.",
                      stacklevel=2)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        return False
    return True


def _dump(connection, dump: Path, name: str) -> None:
    partial = dump.with_suffix(f".{os.getpid()}.partial")
    dumped = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={name}"],
        env=_libpq_env(connection.settings_dict, name), capture_output=True, text=True, check=False,
    )
    if dumped.returncode != 0:
        partial.unlink(missing_ok=True)
        warnings.warn(f"Could not keep the migrated test database ({dumped.stderr.strip()}).", stacklevel=2)
        return
    partial.replace(dump)  # atomic: a reader sees the whole dump or none
    for old in sorted(dump.parent.glob("migrated-*.dump"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]:
        old.unlink(missing_ok=True)


def setup_test_database(*, verbosity: int, aliases: set[str], serialized_aliases: set[str]):
    """Django's setup_databases, with the default database restored from the dump when there is one."""
    from django.db import connections
    from django.test.utils import setup_databases

    connection = connections["default"]
    enabled = os.environ.get("MARKET_TEST_DB_CACHE", "on").lower() not in ("off", "0", "no", "false")
    if not enabled or connection.vendor != "postgresql" or "default" not in aliases:
        return setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                               serialized_aliases=serialized_aliases)

    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    dump = CACHE_DIR / f"migrated-{cache_key(root=Path(settings.BASE_DIR), server_version=server_version)}.dump"
    name = connection.creation._get_test_db_name()
    with _locked(CACHE_DIR / "lock"):
        restored = dump.is_file() and _restore(connection, dump, name)
        if restored:
            os.utime(dump)  # recently used: kept by the pruning in _dump
        # keepdb: Django keeps the restored database, runs migrate (nothing to apply, post_migrate again) and
        # serializes it for serialized rollback, as for a database it created.
        config = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                                 serialized_aliases=serialized_aliases, keepdb=restored)
        if not restored:
            _dump(connection, dump, name)
    return config
