"""Writes for the directory: the anonymous record of each search, and rebuilding the search table."""

from __future__ import annotations

from django.db import connection, transaction

from .models import SearchRecord
from .search import SearchCriteria
from .selectors import demand_words


def search_record_create(*, criteria: SearchCriteria, result_count: int) -> SearchRecord:
    """Record one search, anonymously: postcode district, filters, number of results, time. No audit row: nobody
    acts on anyone's record, and the row itself is the record."""
    record = SearchRecord(
        district=criteria.place.district if criteria.place else "",
        neighbourhood_id=_neighbourhood_id(criteria),
        category_id=criteria.category.pk if criteria.category else None,
        need_id=criteria.need.pk if criteria.need else None,
        filters={**criteria.record_filters(), **demand_words(criteria.text)},
        result_count=result_count,
    )
    record.full_clean(exclude=["category", "need", "neighbourhood"])  # the database checks the references
    record.save()
    return record


def _neighbourhood_id(criteria: SearchCriteria) -> int | None:
    """The neighbourhood a search was for: its postcode's, or its district's when the district lies in only one."""
    place = criteria.place
    if place is None:
        return None
    if place.neighbourhood is not None:
        return place.neighbourhood.pk
    return place.neighbourhood_ids[0] if len(place.neighbourhood_ids) == 1 else None


def listings_refresh(*, provider_ids: list[int] | None = None) -> None:
    """Bring the search table up to date for these providers, or all (None), rewriting only rows that differ.
    Triggers already do this on every change (directory/sql/listing.sql); this is the nightly safety net and the
    way to rebuild after loading data with triggers disabled."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT directory_listing_refresh(%s::bigint[])",
            [None if provider_ids is None else [int(pk) for pk in provider_ids]],
        )
