"""Builders for payments tests: invoices made the product's way (confirmed visits, an invoicing run), the queued
tasks run as the worker would, and Stripe's events delivered to the webhook endpoints."""

from __future__ import annotations

from http import HTTPStatus

from celery import current_app
from django.utils import timezone

import payments.tasks  # noqa: F401 (registers the payments tasks run below)
from invoicing.models import Invoice
from invoicing.services import invoicing_run
from market.accounts.models import FundingRoute, Role
from market.outbox.models import QueuedTask
from payments.models import ConnectedAccount, WebhookEvent
from tests.factories import PersonFactory, UserFactory
from tests.invoicing.test_invoicing import _budget, _period, confirmed_visit
from tests.orders.helpers import make_service


def invoice_for(route: str, *, price_pence: int = 1750, visits: int = 1, service=None) -> Invoice:
    """One issued invoice for `visits` confirmed visits of an hour, for a new person on `route` (of a new service at
    `price_pence`, or of `service`)."""
    holder = PersonFactory(funding_route=route)
    if holder.user is None:
        holder.user = UserFactory(roles=[Role.BUDGET_HOLDER])
        holder.save()
    if service is None:
        service = make_service(neighbourhood=holder.neighbourhood, price_pence=price_pence)
    else:
        service.provider.neighbourhoods.add(holder.neighbourhood)
    budget = _budget(holder, route)
    for day in range(visits):
        confirmed_visit(holder, service, budget, days_ago=2 + day)
    before = set(Invoice.objects.values_list("pk", flat=True))
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    invoice = Invoice.objects.exclude(pk__in=before).get()
    invoice.service = service
    return invoice


def council_invoice(**kwargs) -> Invoice:
    return invoice_for(FundingRoute.COUNCIL_MANAGED, **kwargs)


def card_invoice(**kwargs) -> Invoice:
    return invoice_for(FundingRoute.DIRECT_PAYMENT, **kwargs)


def run_queued(task: str | None = None) -> list:
    """Run what the product has queued (market.outbox.tasks_queue), in this process, as the worker would, until
    nothing is left; returns each task's result."""
    results = []
    while True:
        waiting = QueuedTask.objects.filter(sent_at=None).order_by("pk")
        if task:
            waiting = waiting.filter(task=task)
        queued = waiting.first()
        if queued is None:
            return results
        QueuedTask.objects.filter(pk=queued.pk).update(sent_at=timezone.now())
        results.append(current_app.tasks[queued.task](*queued.args))


def deliver(client, fake, events, *, process: bool = True) -> list:
    """Post each event to the product, signed, then run the processing it queued."""
    for event in events if isinstance(events, list) else [events]:
        response = fake.deliver(client, event)
        assert response.status_code == HTTPStatus.OK, response.content
    return run_queued("payments.tasks.process_webhook") if process else []


def activate(client, fake, provider) -> ConnectedAccount:
    """Give the provider an active Stripe account: started by its owner, completed at Stripe, told by webhook."""
    from payments.services import account_onboarding_start
    from providers.models import MemberRole

    owner = provider.memberships.filter(role=MemberRole.OWNER).first().user
    account = account_onboarding_start(provider=provider, actor=owner)
    deliver(client, fake, fake.complete_onboarding(account.stripe_id))
    account.refresh_from_db()
    assert account.status == "active"
    return account


def stored(event: dict) -> WebhookEvent:
    return WebhookEvent.objects.get(event_id=event["id"])
