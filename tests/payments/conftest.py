"""Payments tests: the product's Stripe module talks over real HTTP to the fake Stripe server (tests/fake_stripe.py)."""

from __future__ import annotations

import pytest

from market.accounts.models import Role
from tests.factories import UserFactory
from tests.fake_stripe import CONNECT_SECRET, PLATFORM_SECRET, FakeStripe


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe on 127.0.0.1, with the product's settings pointed at it (test keys, both webhook secrets, a
    one-second timeout so a slow answer is a timeout)."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRETS = [PLATFORM_SECRET]
    settings.STRIPE_CONNECT_WEBHOOK_SECRETS = [CONNECT_SECRET]
    settings.STRIPE_TIMEOUT_SECONDS = 1
    yield fake
    fake.stop()


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE])
