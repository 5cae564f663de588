"""On the demo data, Cath's market view answers from the page: where support is missing, reference rates, spend."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from cms.demo import load_demo
from commissioning.models import ReferenceRate
from market.accounts.models import User


def test_the_demo_market_view(db, verified_client):
    load_demo()
    load_demo()  # a second run sets no rate twice
    cath = User.objects.get(email="cath.commissioner@demo.example")

    response = verified_client(cath).get(reverse("commissioning:market"))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert ReferenceRate.objects.count() == 4
    assert "Gaps: where support is wanted but missing" in page
    assert "£18.00" in page  # companionship's reference rate in the price table
    assert "Margaret" not in page and "Dave Turner" not in page
