"""What is waiting to be invoiced, and the invoices as finance staff, providers and people see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orders.models import Visit, VisitStatus

from .models import Invoice, InvoicedVisit, InvoiceKind, InvoiceStatus

#: Funding routes whose invoices go to the person (else to the council).
PERSON_PAYS = frozenset({"direct_payment", "self_funded"})


@dataclass(frozen=True)
class Group:
    """The visits one invoice covers: a provider, a funding route, and (when the person pays) the person."""

    provider_id: int
    funding_route: str
    person_id: int | None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _uninvoiced(period_start: datetime.date, period_end: datetime.date) -> QuerySet[Visit]:
    return Visit.objects.filter(
        status=VisitStatus.CONFIRMED,
        starts_at__gte=_local_midnight(period_start),
        starts_at__lt=_local_midnight(period_end + datetime.timedelta(days=1)),
    ).filter(~Exists(InvoicedVisit.objects.filter(visit=OuterRef("pk"))))


def uninvoiced_groups(*, period_start: datetime.date, period_end: datetime.date) -> list[Group]:
    """Each invoice a run would issue, in a stable order. One query."""
    rows = (_uninvoiced(period_start, period_end)
            .values_list("order__provider_id", "order__funding_route", "order__holder_id").distinct())
    groups = {Group(provider, route, holder if route in PERSON_PAYS else None) for provider, route, holder in rows}
    return sorted(groups, key=lambda group: (group.provider_id, group.funding_route, group.person_id or 0))


def uninvoiced_visits(group: Group, *, period_start: datetime.date, period_end: datetime.date) -> list[Visit]:
    visits = _uninvoiced(period_start, period_end).filter(
        order__provider_id=group.provider_id, order__funding_route=group.funding_route)
    if group.person_id is not None:
        visits = visits.filter(order__holder_id=group.person_id)
    return list(visits.select_related("order", "order__service", "order__holder").order_by("starts_at", "pk"))


STATUS_FILTERS = {
    "issued": Q(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED),
    "overdue": Q(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED),  # and due before today, below
    "paid": Q(status=InvoiceStatus.PAID),
    "credited": Q(status=InvoiceStatus.CREDITED) | Q(kind=InvoiceKind.CREDIT_NOTE),
}


def invoices_by_status(status: str | None = None, *, provider=None, limit: int = 200) -> list[Invoice]:
    invoices = Invoice.objects.select_related("provider", "person")
    if status in STATUS_FILTERS:
        invoices = invoices.filter(STATUS_FILTERS[status])
        if status == "overdue":
            invoices = invoices.filter(due_on__lt=timezone.localdate())
    if provider is not None:
        invoices = invoices.filter(provider=provider)
    return list(invoices.order_by("-issued_at", "-id")[:limit])


def invoice_counts() -> dict[str, int]:
    today = timezone.localdate()
    invoices = Invoice.objects.all()
    return {
        "issued": invoices.filter(STATUS_FILTERS["issued"]).count(),
        "overdue": invoices.filter(STATUS_FILTERS["issued"], due_on__lt=today).count(),
        "paid": invoices.filter(STATUS_FILTERS["paid"]).count(),
        "credited": invoices.filter(STATUS_FILTERS["credited"]).count(),
    }


def invoice_get(invoice_id: int) -> Invoice | None:
    return (Invoice.objects.select_related("provider", "person", "credits", "created_by")
            .prefetch_related("lines").filter(pk=invoice_id).first())
