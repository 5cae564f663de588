"""The default engine: PostgreSQL, on the search table the database keeps itself (directory/sql/listing.sql).

One statement a search: the page, in order, and how many match (counted up to count_limit + 1, so "more than
1,000" costs at most that many rows). Distances are National Grid metres between points, so a nearest-first page
is read from a GiST index in distance order (about a page of rows), and "does it travel here?" is a circle test
that an index answers too.
"""

from __future__ import annotations

import datetime

from django.db import connection

from .base import Hit, Hits, SearchEngine
from .criteria import SearchCriteria

#: Output columns only, so one ORDER BY serves the page and the statement around it.
ORDERS = {
    "relevance": "rank DESC, price, service_id",
    "distance": "distance_m ASC NULLS LAST, price, service_id",
    "price": "price, service_id",
    "newest": "created DESC, service_id DESC",
}
LOCATION = "point(l.easting, l.northing)"
#: The circle a service travels in: the same expression as the listing_reach index (directory.models.Listing).
REACH = f"circle({LOCATION}, (l.travel_radius_km * 1000.0))"
QUERY = "websearch_to_tsquery('english', %s::text)"


def _conditions(criteria: SearchCriteria, on_day: datetime.date) -> tuple[list[str], list]:
    """The WHERE clause's conditions over the search table `l`, and their parameters."""
    where, params = ["l.listed_during @> %s::date"], [on_day]
    if (place := criteria.place) is not None:
        where.append(f"(l.neighbourhood_ids && %s::bigint[] OR (l.travel_radius_km IS NOT NULL "
                     f"AND {REACH} @> circle(point(%s::float8, %s::float8), 0)))")
        params += [list(place.neighbourhood_ids), place.easting, place.northing]
    if criteria.within_m is not None and place is not None:
        where.append(f"{LOCATION} <-> point(%s::float8, %s::float8) <= %s::float8")
        params += [place.easting, place.northing, criteria.within_m]
    if criteria.text:
        where.append(f"l.document @@ {QUERY}")
        params.append(criteria.text)
    if criteria.category is not None:
        where.append("l.category_id = %s::bigint")
        params.append(criteria.category.pk)
    if criteria.category_ids is not None:
        where.append("l.category_id = ANY(%s::bigint[])")
        params.append(sorted(criteria.category_ids))
    if criteria.need is not None:
        where.append("l.need_ids @> ARRAY[%s::bigint]")
        params.append(criteria.need.pk)
    if criteria.has_need:
        where.append("cardinality(l.need_ids) > 0")
    if criteria.slot_cells is not None:
        where.append("l.slot_hours && %s::smallint[]")
        params.append(criteria.slot_cells)
    if criteria.max_price_pence is not None:
        where.append("l.price_pence <= %s::bigint")
        params.append(criteria.max_price_pence)
    if criteria.language:
        where.append("l.languages @> ARRAY[%s::varchar]")
        params.append(criteria.language.lower())
    if criteria.regulated == "only":
        where.append("l.regulated")
    elif criteria.regulated == "exclude":
        where.append("NOT l.regulated")
    if criteria.council_budget:
        where.append("l.council_budget_ok")
    return where, params


class PostgresSearchEngine(SearchEngine):
    def search(self, criteria: SearchCriteria, *, on_day: datetime.date, offset: int, limit: int,
               count_limit: int | None = None) -> Hits:
        count_limit = self.count_limit if count_limit is None else count_limit
        conditions, params = _conditions(criteria, on_day)
        where = " AND ".join(conditions)
        columns, column_params = ["NULL::float8", "NULL::float4"], []
        if criteria.place is not None:
            columns[0] = f"{LOCATION} <-> point(%s::float8, %s::float8)"
            column_params += [criteria.place.easting, criteria.place.northing]
        if criteria.text:
            columns[1] = f"ts_rank(l.title_document, {QUERY})"
            column_params.append(criteria.text)
        order = ORDERS[criteria.effective_sort]
        # Only constant SQL fragments are joined here; every value is a parameter.
        sql = f"""
            WITH page AS (
                SELECT l.service_id, {columns[0]} AS distance_m, {columns[1]} AS rank, l.price_pence AS price,
                       l.created_at AS created
                  FROM directory_listing l
                 WHERE {where}
                 ORDER BY {order}
                 LIMIT %s OFFSET %s
            )
            SELECT page.service_id, page.distance_m, page.rank,
                   (SELECT count(*) FROM (SELECT FROM directory_listing l WHERE {where} LIMIT %s) AS capped)
              FROM (SELECT) AS always_a_row LEFT JOIN page ON true
             ORDER BY {order}
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*column_params, *params, limit, offset, *params, count_limit + 1])
            rows = cursor.fetchall()
        counted = rows[0][3]
        hits = [Hit(service_id, distance_m, rank) for service_id, distance_m, rank, _ in rows if service_id]
        if counted > count_limit:
            return Hits(hits, count_limit, total_is_exact=False)
        return Hits(hits, counted)
