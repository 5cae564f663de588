"""The nightly quality checks raise a flag per provider and kind, with its evidence, never twice while it is open;
commissioners acknowledge and resolve them (a note is needed to resolve), and only commissioners see them."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent, TaskRun
from orders.services import concern_raise, order_decline
from quality.exceptions import FlagRefused
from quality.models import FlagKind, FlagStatus, QualityFlag
from quality.services import flag_acknowledge, flag_resolve, quality_checks_run
from quality.tasks import run_quality_checks
from tests.factories import CategoryFactory, ListedServiceFactory
from tests.orders.helpers import make_budget, make_service, place

pytestmark = pytest.mark.django_db


def _kinds(provider) -> list[str]:
    return sorted(QualityFlag.objects.filter(provider=provider).values_list("kind", flat=True))


def test_a_provider_declining_most_orders_is_flagged_once_while_open(holder):
    budget = make_budget(holder=holder, amount_pence=100_000)
    service = make_service(neighbourhood=holder.neighbourhood)
    orders = [place(user=holder.user, budget=budget, service=service) for _ in range(4)]
    for order in orders[:3]:
        order_decline(order=order, by=service.owner, reason="No capacity")

    assert quality_checks_run() >= 1
    flag = QualityFlag.objects.get(provider=service.provider, kind=FlagKind.MANY_DECLINES)
    assert (flag.summary, flag.evidence) == ("Declined 3 of 4 orders in 90 days", {"declined": 3, "orders": 4})
    assert quality_checks_run() == 0  # not raised twice while open
    assert QualityFlag.objects.filter(kind=FlagKind.MANY_DECLINES).count() == 1


def test_concerns_and_prices_far_from_the_median_are_flagged(holder):
    category = CategoryFactory(name="Companionship")
    for price in (1500, 1600, 1700, 1800, 1900):
        ListedServiceFactory(category=category, price_pence=price, unit="per_hour")
    dear = ListedServiceFactory(category=category, price_pence=9000, unit="per_hour", title="Gold companionship")
    concern_raise(user=holder.user, provider=dear.provider, body="Left my mum alone", is_safeguarding=True)

    quality_checks_run()

    assert _kinds(dear.provider) == [FlagKind.CONCERNS, FlagKind.PRICE_FAR_FROM_MEDIAN]
    price = QualityFlag.objects.get(provider=dear.provider, kind=FlagKind.PRICE_FAR_FROM_MEDIAN)
    assert price.evidence["services"] == [{"service": dear.pk, "title": "Gold companionship", "price_pence": 9000,
                                           "median_pence": 1700}]
    concern = QualityFlag.objects.get(provider=dear.provider, kind=FlagKind.CONCERNS)
    assert concern.summary == "1 concern(s) raised, 1 about safeguarding"


def test_commissioners_acknowledge_and_resolve_with_a_note(commissioner, verified_client, holder):
    provider = ListedServiceFactory().provider
    concern_raise(user=holder.user, provider=provider, body="Late twice", is_safeguarding=False)
    quality_checks_run()
    flag = QualityFlag.objects.get(provider=provider)
    client = verified_client(commissioner)

    page = client.get(reverse("quality:flags")).content.decode()
    assert provider.name.replace("'", "&#x27;") in page and "Concerns raised" in page

    prefix = f"flag{flag.pk}"
    client.post(reverse("quality:flag-decide", args=[flag.pk]), {f"{prefix}-decision": "acknowledge"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    with pytest.raises(FlagRefused, match="Say what was found"):
        flag_resolve(flag=flag, actor=commissioner, note="  ")
    client.post(reverse("quality:flag-decide", args=[flag.pk]),
                {f"{prefix}-decision": "resolve", f"{prefix}-note": "Spoke to the provider; rota fixed."})
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.decided_by) == (FlagStatus.RESOLVED, "Spoke to the provider; rota fixed.",
                                                         commissioner)
    assert AuditEvent.objects.filter(action="quality_flag.resolved", object_id=str(flag.pk)).exists()
    with pytest.raises(FlagRefused):
        flag_acknowledge(flag=flag, actor=commissioner)


def test_only_commissioners_see_the_flags(client, holder):
    client.force_login(holder.user)
    assert client.get(reverse("quality:flags")).status_code == HTTPStatus.FORBIDDEN


def test_the_nightly_run_is_recorded(holder):
    provider = ListedServiceFactory().provider
    concern_raise(user=holder.user, provider=provider, body="Rude", is_safeguarding=False)

    run_quality_checks()

    run = TaskRun.objects.get(task="quality.tasks.run_quality_checks")
    assert (run.status, run.items_done) == ("finished", 1)
