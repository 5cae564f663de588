"""Shared fixtures. The database and Redis are real: see market/settings/test.py."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import factories


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
