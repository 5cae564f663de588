"""Writes for the directory: the anonymous record of each search."""

from __future__ import annotations

import json
import logging

from django.db import IntegrityError, connection, transaction

from market.core.compiled import run_prepared

from .models import SearchRecord
from .selectors import SearchCriteria

logger = logging.getLogger(__name__)


def search_record_create(*, criteria: SearchCriteria, result_count: int) -> SearchRecord | None:
    """Record one search, anonymously: postcode district, filters, number of results, time.

    No audit row: nobody is acting on anyone's record, and the row itself is the record. On its own (the
    usual case: a GET request runs in autocommit) it is one statement, one round trip, committed with
    synchronous_commit off: losing the last few hundred milliseconds of search statistics in a database crash
    is acceptable, and it keeps a disk flush off every search request. The category and need references are
    checked by the database's foreign keys; if one vanished meanwhile, the search is not recorded (logged),
    never an error page. Inside a caller's transaction it is a plain validated insert that leaves the
    transaction's durability alone.
    """
    record = SearchRecord(
        district=criteria.place.district if criteria.place else "",
        category=criteria.category,
        need=criteria.need,
        filters=criteria.record_filters(),
        result_count=result_count,
    )
    if connection.in_atomic_block:
        record.full_clean()
        record.save()
        return record
    record.full_clean(exclude=["category", "need"])
    try:
        # A prepared statement (parsed and planned once per connection), counted like any query (market.core.compiled).
        [(record.pk,)] = run_prepared(
            "WITH quiet AS (SELECT set_config('synchronous_commit', 'off', true)) "
            "INSERT INTO directory_searchrecord (searched_at, district, category_id, need_id, filters, "
            "result_count) SELECT %s, %s, %s::bigint, %s::bigint, %s::jsonb, %s FROM quiet RETURNING id",
            [record.searched_at, record.district, record.category_id, record.need_id,
             json.dumps(record.filters), record.result_count],
        )
    except IntegrityError:
        logger.warning("Search not recorded: its category or need no longer exists")
        return None
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


#: How long entries of the search table's change log (migration 0007) are kept. A web process that has not
#: synchronised its in-memory index for longer than index.FULL_RELOAD_SECONDS reads everything again, so this only
#: has to be comfortably longer than that.
CHANGE_LOG_DAYS = 1


def listing_changes_prune() -> int:
    """Delete change-log entries older than CHANGE_LOG_DAYS; how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM directory_listing_change WHERE changed_at < now() - make_interval(days => %s)",
            [CHANGE_LOG_DAYS],
        )
        return cursor.rowcount
