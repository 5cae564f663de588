"""Writes for commissioners: setting the reference (fair) hourly rate of a kind of support; rebuilding the market
view's summary (run by commissioning.tasks.refresh_market_summary)."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from market.core.audit import audit_record
from market.core.numbers import whole_within
from market.taxonomy.models import Category
from providers.permissions import is_commissioner

from .exceptions import CommissioningRefused
from .freshness import SUMMARY_TABLES
from .models import ReferenceRate

#: A reference rate above this is surely a typing slip (the money input allows at most this too).
MAX_HOURLY_PENCE = 200_00


def reference_rate_set(*, category: Category, hourly_pence: int, by) -> ReferenceRate:
    """Set (or change) the reference hourly rate for `category`; audited with the old and new rate."""
    if not is_commissioner(by):
        raise CommissioningRefused("Only commissioners can set reference rates.")
    if not whole_within(hourly_pence, 1, MAX_HOURLY_PENCE):
        raise CommissioningRefused("Enter an hourly rate between 1p and £200.", field="hourly_rate")
    with transaction.atomic():
        rate = ReferenceRate.objects.select_for_update().filter(category=category).first()
        old = rate.hourly_pence if rate else None
        if rate is None:
            rate = ReferenceRate(category=category, hourly_pence=hourly_pence, set_by=by, set_at=timezone.now())
        else:
            rate.hourly_pence, rate.set_by, rate.set_at = hourly_pence, by, timezone.now()
        rate.full_clean(exclude=["category", "set_by"])
        rate.save()
        audit_record(action="reference_rate.set", actor=by, target=rate,
                     summary=f"{by} set the reference rate for {category} to {hourly_pence}p an hour",
                     data={"category": category.slug, "old_pence": old, "new_pence": hourly_pence})
    return rate


def market_summary_refresh() -> int:
    """Rebuild the market view's daily summaries from the rules' views, in the database, set-based. CONCURRENTLY once
    a table holds a summary (the page goes on reading the previous one meanwhile); the first build, or the first
    after the SQL file was applied again, cannot be concurrent. Returns how many summary rows there now are."""
    rows = 0
    with connection.cursor() as cursor:
        for table in SUMMARY_TABLES:
            cursor.execute("SELECT ispopulated FROM pg_matviews WHERE matviewname = %s", [table])
            concurrently = "CONCURRENTLY " if cursor.fetchone()[0] else ""
            cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{table}")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a name from SUMMARY_TABLES)
            rows += cursor.fetchone()[0]
    return rows
