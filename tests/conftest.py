"""Shared fixtures. The database and Redis are real: see market/settings/test.py."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

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
