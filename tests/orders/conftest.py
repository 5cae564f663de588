"""Fixtures for budgets, orders and visits."""

import pytest

from orders.services import household_record
from tests import factories

from .helpers import make_budget, make_service


@pytest.fixture
def budget(holder):
    return make_budget(holder=holder)


@pytest.fixture
def brothers(db):
    """Two brothers in one household, each with a budget, a coordinator working with both, and a listed service
    (£17.50 an hour) covering where they live."""
    coordinator = factories.CoordinatorFactory()
    first = factories.PersonFactory(full_name="Daniel Okafor")
    second = factories.PersonFactory(full_name="Samuel Okafor", neighbourhood=first.neighbourhood)
    for person in (first, second):
        factories.CaseloadFactory(person=person, coordinator=coordinator)
    household_record(by=coordinator, name="The Okafor household", people=[first, second])
    first_budget = make_budget(holder=first, amount_pence=10_000, created_by=coordinator)
    second_budget = make_budget(holder=second, amount_pence=10_000, created_by=coordinator)
    service = make_service(neighbourhood=first.neighbourhood, price_pence=1750)
    return coordinator, first, second, first_budget, second_budget, service
