"""Fixtures for budgets, orders and visits."""

import pytest

from .helpers import make_budget


@pytest.fixture
def budget(holder):
    return make_budget(holder=holder)
