"""Shared fixtures. The database and Redis are real: see market/settings/test.py."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.core.health import HEARTBEAT_KEY, redis_client

from . import factories


def pytest_collection_modifyitems(items):
    """Every test that commits (transaction=True, transactional_db, live_server) restores the rows that
    migrations create (Wagtail's root and home pages, seeded check types, content types) before it runs.

    Without this, one such test's flush at teardown leaves the database empty of them, and Django recreates
    content types with new ids, so later transactional tests fail depending on the order they run in.
    """
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in names or "live_server" in names or bool(
            marker and marker.kwargs.get("transaction")
        )
        if transactional and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's database set-up, with the migrated database restored from a dump when one matches the code
    (tests/database.py): the first run on a machine migrates, later ones (and the other xdist workers) restore."""
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from .database import setup_test_database

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = setup_test_database(verbosity=verbosity, aliases=aliases, serialized_aliases=serialized_aliases)
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity)


def _loopback_only(address) -> bool:
    """Whether a socket address is on this machine: a Unix socket path, or a loopback IP or name."""
    if not isinstance(address, tuple):
        return True  # AF_UNIX (PostgreSQL's and Redis's sockets)
    host = address[0]
    if host in ("localhost", "testserver"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _no_outside_network():
    """Tests reach nothing outside this machine: a connection to any address but loopback (or a Unix socket) is
    refused, so a test that would call Stripe, a mail server or a CDN for real fails loudly instead."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(method):
        def call(self, address):
            if not _loopback_only(address):
                raise ConnectionRefusedError(f"Tests may not reach the outside network ({address!r})")
            return method(self, address)

        return call

    socket.socket.connect, socket.socket.connect_ex = guarded(connect), guarded(connect_ex)
    yield
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker):
    """The demo data (cms.demo.load_demo, about 7 s) loaded once for a module whose every test reads it, instead of
    once per test: it is loaded in a transaction that stays open while the module's tests run and is rolled back
    after them. Each test still runs in its own savepoint inside it (the `db` fixture), so nothing one test changes
    is seen by the next, and nothing is left for other modules. Only for modules without transactional tests."""
    from django.db import connection, transaction

    from cms.demo import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        assert not connection.in_atomic_block


@pytest.fixture
def send_outbox(db):
    """Send what the outbox holds, as the worker's send_outbox task does; returns its report."""
    from market.outbox.services import outbox_send_due

    return outbox_send_due


@pytest.fixture(autouse=True)
def _fresh_cache_and_throttle():
    """Each test starts with an empty cache, so sign-in throttling from one test never leaks into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder(db):
    return factories.PersonFactory()


@pytest.fixture
def other_holder(db):
    return factories.PersonFactory()


@pytest.fixture
def coordinator(db):
    return factories.CoordinatorFactory()


@pytest.fixture
def commissioner(db):
    return factories.CommissionerFactory()


@pytest.fixture
def supporter(db):
    return factories.SupporterFactory()


@pytest.fixture
def verified_client(client):
    """Sign in a user who needs a second factor and pass it, as a real sign-in would."""

    def sign_in(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return sign_in


def _worker_environment() -> dict[str, str]:
    database = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "market.settings.test"}
    # The worker must use this test run's database (test_<name>), on the same server as this process.
    server = urlsplit(os.environ["DATABASE_URL"])
    env["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{database['NAME']}"))
    env["REDIS_URL"] = settings.REDIS_URL
    return env


def wait_for_heartbeat(process, seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while redis_client().get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        time.sleep(0.2)


def _start_worker(*, pool: str = "solo", env: dict[str, str] | None = None, name: str = "worker"):
    redis_client().delete(HEARTBEAT_KEY)
    arguments = [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", pool, "--loglevel", "WARNING",
                 "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if pool == "prefork":
        arguments += ["--concurrency", "1"]
    process = subprocess.Popen(arguments, env={**_worker_environment(), **(env or {})}, cwd=settings.BASE_DIR)
    wait_for_heartbeat(process)
    return process


def _stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real worker process on this run's Redis and database, started and ready."""
    process = _start_worker()
    yield process
    _stop([process])


@pytest.fixture
def start_celery_worker(transactional_db):
    """Start real worker processes as a test needs them: `start_celery_worker(pool="prefork", env={...})` (prefork
    runs one child process, so a test can kill it); every one is stopped at the end."""
    started = []

    def start(**options):
        started.append(_start_worker(**options, name=f"worker{len(started) + 1}"))
        return started[-1]

    yield start
    _stop(started)
