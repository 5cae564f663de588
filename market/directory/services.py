"""Writes for the directory: the anonymous record of each search."""

from __future__ import annotations

from django.db import connection, transaction

from .models import SearchRecord
from .selectors import SearchCriteria


def search_record_create(*, criteria: SearchCriteria, result_count: int) -> SearchRecord:
    """Record one search, anonymously: postcode district, filters, number of results, time.

    No audit row: nobody is acting on anyone's record, and the row itself is the record. Committed with
    synchronous_commit off: losing the last few hundred milliseconds of search statistics in a database
    crash is acceptable, and it keeps a disk flush off every search request.
    """
    record = SearchRecord(
        district=criteria.place.district if criteria.place else "",
        category=criteria.category,
        need=criteria.need,
        filters=criteria.record_filters(),
        result_count=result_count,
    )
    record.full_clean()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        record.save()
    return record


def listings_refresh(*, provider_ids: list[int] | None = None) -> None:
    """Recompute the search table (directory_listing) for these providers, or for all (None), in one
    transaction. Triggers already do this on every change to what a listing is derived from (migration 0004);
    this is the safety net (a beat task) and the way to rebuild after loading data with triggers disabled."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT directory_listing_refresh(%s::bigint[])",
            [None if provider_ids is None else [int(pk) for pk in provider_ids]],
        )
