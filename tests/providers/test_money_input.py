"""Hardening: every money input takes plain pounds and pence within a range for its kind, and a new service priced far
above the local range for its kind waits for a commissioner, as a large price rise does."""

from __future__ import annotations

import pytest
from django import forms

from directory.forms import SearchForm
from market.core.forms import MoneyField
from orders.forms import AdjustForm, ProposalForm
from providers import services
from providers.exceptions import ListingRefused
from providers.forms import CheckUploadForm, ServiceForm
from providers.models import ChangeRequestStatus, ServiceStatus
from providers.selectors import service_is_listed
from tests.factories import CategoryFactory, ListedServiceFactory

BAD = ["1e5", "1E3", "17.505", "-5", "+5", "0x10", "1_000", "17,50", "NaN", "Infinity", "½", "17.5.0", "£"]


class Price(forms.Form):
    price = MoneyField(max_pounds=1_000, required=False)


@pytest.mark.parametrize("text", BAD)
def test_only_plain_pounds_and_pence_are_money(text):
    form = Price({"price": text})
    assert not form.is_valid()
    assert form.errors["price"] == ["Enter an amount in pounds and pence, like 17.50."]


@pytest.mark.parametrize(("text", "pence"), [("17.50", 1750), ("£17.5", 1750), ("1,000", 100_000), (" 18 ", 1800),
                                             ("0.01", 1), ("", None)])
def test_plain_amounts_become_pence(text, pence):
    form = Price({"price": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == pence


def test_each_kind_has_a_most(db):
    assert Price({"price": "1000.01"}).errors["price"] == ["Enter an amount of £1,000 or less."]


def _field_errors(form_class, field, value, **kwargs):
    form = form_class(data={field: value}, **kwargs)
    form.is_valid()
    return form.errors.get(field, [])


@pytest.mark.parametrize(("form_class", "field"), [
    (ServiceForm, "price_pence"), (CheckUploadForm, "amount_pence"), (ProposalForm, "price"),
    (AdjustForm, "amount"), (SearchForm, "max_price"),
])
def test_every_money_input_of_the_site_refuses_exponents(db, form_class, field):
    assert isinstance(form_class.base_fields[field], MoneyField)
    assert _field_errors(form_class, field, "1e5") == ["Enter an amount in pounds and pence, like 17.50."]


@pytest.fixture
def going_rate(db):
    category = CategoryFactory(name="Companionship")
    for price in (1500, 1600, 1700, 1800, 1900):
        ListedServiceFactory(category=category, price_pence=price, unit="per_hour")
    return category


def _new_service(provider, owner, category, price):
    return services.service_create(provider=provider, actor=owner, fields={
        "title": "Sitting service", "description": "Company at home.", "category": category,
        "price_pence": price, "unit": "per_hour", "minimum_units": 1, "travel_radius_km": 5,
        "status": ServiceStatus.LIVE,
    })


def test_a_new_service_priced_far_above_its_kind_waits_for_a_commissioner(going_rate, commissioner, provider, owner):
    ordinary_provider = provider
    # Median £17.00: up to twice that goes live at once...
    ordinary = _new_service(ordinary_provider, owner, going_rate, 3400)
    assert (ordinary.status, ordinary.change_requests.count()) == (ServiceStatus.LIVE, 0)

    # ...far above it waits, not shown, until a commissioner approves it.
    dear = _new_service(ordinary_provider, owner, going_rate, 90_000)
    change = dear.change_requests.get()
    assert (dear.status, change.status, change.changes) == (ServiceStatus.DRAFT, ChangeRequestStatus.PENDING,
                                                             {"status": "live"})
    assert "more than 2 times the local median for Companionship (£17.00)" in change.why_review[0]
    assert service_is_listed(dear) is False

    services.change_request_approve(change_request=change, actor=commissioner, reason="Specialist night care")
    dear.refresh_from_db()
    assert dear.status == ServiceStatus.LIVE


def test_a_price_above_the_most_for_its_kind_is_refused_by_the_service_too(going_rate, provider, owner):
    """The form's range is checked again where a script or the admin calls the service without it."""
    with pytest.raises(ListingRefused, match="£1,000 or less"):
        _new_service(provider, owner, going_rate, 10_000_000)
    assert not provider.services.filter(title="Sitting service").exists()
