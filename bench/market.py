"""Benchmark: the commissioners' market view (/commissioners/market/) against the baseline view, on one gunicorn server.

    .venv/bin/python -m bench.market                       # both data sets, one after the other, then compared
    .venv/bin/python -m bench.market --scale ten-boroughs --requests 60
    .venv/bin/python -m bench.market --scale small --requests 10 --rounds 1   # only to prove it runs

The same harness and data sets as bench/directory.py (embedded PostgreSQL and Redis in .embedded/bench-<scale>/,
providers and services generated the first time by bench/dataset.py; one gunicorn server with production settings on
loopback; scenarios taking turns in rounds). On top of those, this benchmark's own data step adds, once and kept
(in one transaction, by bulk SQL with generate_series), what the market view reads besides the directory:
- people with one budget each (council-managed, direct payment, self-funded), in the demo neighbourhoods;
- orders of listed services placed over the last 12 months (one-off and weekly; some declined, cancelled or waiting),
  their visits (confirmed, a few disputed, the future ones booked: spend is the cost of confirmed visits) and reviews
  of some completed orders. No ledger rows: the market view does not read the ledger;
- anonymous search records over the last 12 months, as many as make up the issue's number with those that runs of
  bench.directory recorded (some that found nothing, some with a price limit, some with typed vocabulary words or
  "other" words, as directory.services records them).
The issue's data set is ten boroughs: 10,000 providers, 50,000 services, 100,000 orders, 200,000 searches; a borough
has a tenth of each.

Then it builds the market view's summary as the worker does (commissioning.tasks.refresh_market_summary's own
function, recorded as its run, so the page shows its figures and their freshness) and times that build: the price
of the pre-aggregation, paid every 15 minutes in the worker instead of on every page view. The first build of a data
set is not concurrent; a second, CONCURRENTLY (as beat's are), is timed too.

Then, signed in as a commissioner who has passed the second factor (a session made with the test client's
force_login and django-otp's session key, its cookie sent with every request, the baseline's too), it counts the SQL
queries of each market page (through the test client, after one warm-up request) and measures latency p50/p95 of:
the baseline view; the market view as it opens (this month); over the last 12 months (every order and search); and
narrowed to a neighbourhood, a kind of support and a funding route (the last 3 months). The number of queries must
not depend on the data set: `--scale both` prints both scales side by side and says whether they are equal.
Writes bench/results/market-<scale>-<time>.json and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.directory import (
    RESULTS,
    ROOT,
    _prepare,
    _setup_django,
    measure_on_server,
)

#: Per 5,000 services (a borough): the issue's ten-borough data set has ten times these.
PEOPLE_PER_BOROUGH = 500
ORDERS_PER_BOROUGH = 10_000
SEARCHES_PER_BOROUGH = 20_000
MARKER_EMAIL = "market-bench@bench.example"  # the coordinator who "placed" the benchmark's orders
COMMISSIONER_EMAIL = "market-bench-commissioner@bench.example"
WORDS = ["lunch", "club", "sailing", "garden", "walks", "cleaning", "shopping", "dementia", "respite", "cooking",
         "transport", "knitting", "singing", "rugby", "tablet"]


def _wanted(scale: str) -> dict[str, int]:
    from bench import dataset

    boroughs = dataset.SCALES[scale] / dataset.SCALES["borough"]
    return {"people": round(PEOPLE_PER_BOROUGH * boroughs), "orders": round(ORDERS_PER_BOROUGH * boroughs),
            "searches": round(SEARCHES_PER_BOROUGH * boroughs)}


_SERVICES_SQL = """
CREATE TEMP TABLE bench_services ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) AS n, id, provider_id, price_pence, unit FROM providers_service
WHERE id IN ({listed})
"""

_PEOPLE_SQL = """
INSERT INTO accounts_person (full_name, preferred_name, postcode, neighbourhood_id, funding_route, what_matters,
                             communication_needs, created_at)
SELECT 'Market bench person ' || g, '', pc.postcode, pc.neighbourhood_id,
       CASE WHEN g %% 20 < 9 THEN 'council_managed' WHEN g %% 20 < 16 THEN 'direct_payment' ELSE 'self_funded' END,
       '', '', now() - interval '400 days'
FROM generate_series(1, %(people)s) AS g
JOIN bench_postcodes AS pc ON pc.n = 1 + (g * 7919) %% %(postcodes)s
"""

_BUDGETS_SQL = """
INSERT INTO orders_budget (holder_id, name, funding_route, council, period, amount_pence, starts_on, ends_on,
                           created_by_id, created_at)
SELECT p.id, 'Personal budget', p.funding_route, CASE WHEN p.funding_route = 'self_funded' THEN '' ELSE 'Wigan' END,
       'annual', 2500000, current_date - 400, current_date + 365, %(marker)s, now() - interval '400 days'
FROM accounts_person AS p WHERE p.full_name LIKE 'Market bench person %%'
"""

_ORDERS_SQL = """
INSERT INTO orders_order (holder_id, budget_id, funding_route, service_id, provider_id, kind, status, first_visit_on,
                          last_visit_on, weekdays, visit_starts_at, duration_minutes, items_per_visit, unit,
                          unit_price_pence, visit_count, total_pence, notes, pays_household_relative, idempotency_key,
                          placed_by_id, placed_as, proposal_note, created_at, updated_at, provider_told_at)
SELECT pe.holder_id, pe.budget_id, pe.funding_route, s.id, s.provider_id, o.kind,
       CASE WHEN o.r_status < 0.07 THEN 'declined' WHEN o.r_status < 0.12 THEN 'cancelled'
            WHEN o.created > now() - interval '14 days' AND o.r_status < 0.3 THEN 'placed'
            WHEN o.first_on + o.span >= current_date THEN 'active' ELSE 'completed' END,
       o.first_on, o.first_on + o.span,
       CASE WHEN o.kind = 'weekly' THEN ARRAY[extract(isodow FROM o.first_on)::int - 1] ELSE '{}' END::smallint[],
       o.starts, o.minutes, 1, s.unit, s.price_pence, o.visits,
       o.visits * CASE WHEN s.unit = 'per_hour' THEN s.price_pence * o.minutes / 60 ELSE s.price_pence END,
       '', false, gen_random_uuid(), %(marker)s, 'coordinator', '', o.created, o.created, o.created
FROM (
    SELECT g, random() AS r_status, created,
           (created AT TIME ZONE 'Europe/London')::date + 3 AS first_on,
           CASE WHEN r_kind < 0.7 THEN 'weekly' ELSE 'one_off' END AS kind,
           CASE WHEN r_kind < 0.7 THEN 21 ELSE 0 END AS span,
           CASE WHEN r_kind < 0.7 THEN 4 ELSE 1 END AS visits,
           CASE WHEN g %% 3 = 0 THEN 120 ELSE 60 END AS minutes,
           make_time(9 + (g %% 4) * 2, 0, 0) AS starts, person_n, service_n
    FROM (SELECT g, random() AS r_kind, now() - random() * interval '365 days' AS created,
                 1 + floor(random() * %(people)s)::int AS person_n, 1 + floor(random() * %(services)s)::int AS service_n
          FROM generate_series(1, %(orders)s) AS g) AS raw
) AS o
JOIN bench_people AS pe ON pe.n = o.person_n
JOIN bench_services AS s ON s.n = o.service_n
"""

_VISITS_SQL = """
INSERT INTO orders_visit (order_id, starts_at, ends_at, cost_pence, status, actual_starts_at, actual_ends_at,
                          delivery_notes, confirmed_automatically, dispute_reason, resolution_note)
SELECT o.id, v.starts, v.starts + o.duration_minutes * interval '1 minute', o.total_pence / o.visit_count,
       CASE WHEN v.starts > now() THEN 'scheduled' WHEN v.r < 0.04 THEN 'disputed' WHEN v.r < 0.05 THEN 'not_paid'
            ELSE 'confirmed' END,
       CASE WHEN v.starts > now() THEN NULL ELSE v.starts END,
       CASE WHEN v.starts > now() THEN NULL ELSE v.starts + o.duration_minutes * interval '1 minute' END,
       '', false, CASE WHEN v.starts <= now() AND v.r < 0.05 THEN 'The visit did not happen as booked.' ELSE '' END, ''
FROM orders_order AS o
CROSS JOIN LATERAL generate_series(0, o.visit_count - 1) AS k
CROSS JOIN LATERAL (SELECT ((o.first_visit_on + 7 * k) + o.visit_starts_at) AT TIME ZONE 'Europe/London' AS starts,
                           random() AS r) AS v
WHERE o.placed_by_id = %(marker)s AND o.status IN ('active', 'completed')
"""

_REVIEWS_SQL = """
INSERT INTO orders_review (order_id, provider_id, author_id, on_behalf_of_id, rating, body, created_at, reply,
                           hidden_reason)
SELECT o.id, o.provider_id, %(marker)s, o.holder_id,
       CASE WHEN r.r < 0.05 THEN 1 WHEN r.r < 0.1 THEN 2 WHEN r.r < 0.25 THEN 3 WHEN r.r < 0.55 THEN 4 ELSE 5 END,
       '', least(now(), (o.last_visit_on + 2 + time '12:00') AT TIME ZONE 'Europe/London'), '', ''
FROM orders_order AS o CROSS JOIN LATERAL (SELECT random() AS r, random() AS keep) AS r
WHERE o.placed_by_id = %(marker)s AND o.status = 'completed' AND r.keep < 0.15
"""

_SEARCHES_SQL = """
INSERT INTO directory_searchrecord (searched_at, district, category_id, need_id, neighbourhood_id, filters,
                                    result_count)
SELECT s.at, CASE WHEN s.r_area < 0.1 THEN '' ELSE split_part(pc.postcode, ' ', 1) END,
       CASE WHEN s.r_kind < 0.2 THEN NULL ELSE c.id END, NULL,
       CASE WHEN s.r_area < 0.1 THEN NULL ELSE pc.neighbourhood_id END,
       jsonb_strip_nulls(jsonb_build_object(
           'weekday', CASE WHEN s.r_more < 0.3 THEN s.g %% 7 END,
           'max_price_pence', CASE WHEN s.r_price < 0.2 THEN 1200 + (s.g %% 10) * 100 END,
           'category', CASE WHEN s.r_kind >= 0.2 THEN c.slug END,
           'has_text', CASE WHEN s.r_words < 0.3 THEN true END,
           'words', CASE WHEN s.r_words < 0.25
                         THEN jsonb_build_array((%(words)s::text[])[1 + s.g %% %(word_count)s]) END,
           'other_words', CASE WHEN s.r_words >= 0.2 AND s.r_words < 0.3 THEN 1 + s.g %% 3 END)),
       CASE WHEN s.r_found < 0.15 THEN 0 ELSE 1 + s.g %% 40 END
FROM (SELECT g, now() - random() * interval '365 days' AS at, random() AS r_area, random() AS r_kind,
             random() AS r_more, random() AS r_price, random() AS r_words, random() AS r_found,
             1 + floor(random() * %(postcodes)s)::int AS postcode_n, 1 + floor(random() * %(categories)s)::int AS kind_n
      FROM generate_series(1, %(searches)s) AS g) AS s
JOIN bench_postcodes AS pc ON pc.n = s.postcode_n
JOIN bench_categories AS c ON c.n = s.kind_n
"""


def market_data(scale: str, *, log=print) -> dict:
    """The orders, visits, reviews and searches of the data set: generated the first time (one transaction), then
    kept. Returns what the database holds."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from directory.models import SearchRecord
    from market.accounts.models import Person, Role, User
    from orders.models import Order, Review, Visit
    from providers.selectors import listed_services

    wanted = _wanted(scale)
    marker = User.objects.filter(email=MARKER_EMAIL).first()
    if marker is None:
        if Order.objects.exists():
            raise SystemExit(f"The {scale} database holds orders of its own: run bench.directory with --regenerate "
                             "first.")
        # Runs of bench.directory record their searches too: generate what makes up the number.
        wanted["searches"] = max(0, wanted["searches"] - SearchRecord.objects.count())
        started = time.monotonic()
        log(f"Generating the market data ({wanted['people']:,} people, {wanted['orders']:,} orders, "
            f"{wanted['searches']:,} searches) ...")
        listed_sql, listed_params = listed_services().values("pk").query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            marker = User.objects.create(email=MARKER_EMAIL, full_name="Market bench coordinator",
                                         roles=[Role.COORDINATOR], password=make_password(None))
            cursor.execute("SELECT setseed(0.2026)")
            cursor.execute(
                "CREATE TEMP TABLE bench_postcodes ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) AS n, "
                "postcode, neighbourhood_id FROM places_postcode WHERE neighbourhood_id IS NOT NULL")
            cursor.execute(
                "CREATE TEMP TABLE bench_categories ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) AS n, "
                "id, slug FROM taxonomy_category")
            cursor.execute(_SERVICES_SQL.format(listed=listed_sql), listed_params)
            cursor.execute("SELECT (SELECT count(*) FROM bench_postcodes), (SELECT count(*) FROM bench_categories), "
                           "(SELECT count(*) FROM bench_services)")
            counts = dict(zip(("postcodes", "categories", "services"), cursor.fetchone(), strict=True))
            params = {**wanted, **counts, "marker": marker.pk, "words": WORDS, "word_count": len(WORDS)}
            cursor.execute(_PEOPLE_SQL, params)
            cursor.execute(_BUDGETS_SQL, params)
            cursor.execute(
                "CREATE TEMP TABLE bench_people ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY b.id) AS n, "
                "b.holder_id, b.id AS budget_id, b.funding_route FROM orders_budget AS b "
                "WHERE b.created_by_id = %(marker)s", params)
            for name, sql in (("orders", _ORDERS_SQL), ("visits", _VISITS_SQL), ("reviews", _REVIEWS_SQL),
                              ("searches", _SEARCHES_SQL)):
                cursor.execute(sql, params)
                log(f"  {name}: {cursor.rowcount:,} ({time.monotonic() - started:.0f} s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    orders = Order.objects.filter(placed_by=marker)
    return {
        "people": Person.objects.filter(full_name__startswith="Market bench person ").count(),
        "orders": orders.count(),
        "visits": Visit.objects.filter(order__placed_by=marker).count(),
        "confirmed_visits": Visit.objects.filter(order__placed_by=marker, status="confirmed").count(),
        "reviews": Review.objects.filter(order__placed_by=marker).count(),
        "searches": SearchRecord.objects.count(),
        "unmet_searches": SearchRecord.objects.filter(result_count=0).count(),
    }


def build_summary(*, log=print) -> dict:
    """Build the market view's summary twice as the worker does (the first build of a data set is not concurrent,
    later ones are), timing each: what the pre-aggregation costs the worker every 15 minutes."""
    from commissioning.tasks import refresh_market_summary

    timings = []
    for _ in range(2):
        started = time.monotonic()
        rows = refresh_market_summary()
        timings.append(round(time.monotonic() - started, 2))
    log(f"Market summary: {rows:,} rows; built in {timings[0]:.1f} s, refreshed CONCURRENTLY in {timings[1]:.1f} s",
        flush=True)
    return {"summary_rows": rows, "summary_first_build_s": timings[0], "summary_refresh_s": timings[1]}


def _commissioner_session() -> tuple[str, object]:
    """A signed-in commissioner who has passed the second factor, as tests/conftest.py's verified_client does:
    (the session cookie's value, a test client holding the same session)."""
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from market.accounts.models import Role, User

    user, _ = User.objects.get_or_create(email=COMMISSIONER_EMAIL, defaults={
        "full_name": "Market bench commissioner", "roles": [Role.COMMISSIONER]})
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value, client


def _scenarios(rng: random.Random, total: int) -> dict[str, list[tuple[str, str]]]:
    from commissioning.selectors.market import period_presets
    from market.accounts.models import FundingRoute
    from market.places.models import Neighbourhood
    from market.taxonomy.models import Category

    presets = {label: (start, end) for label, start, end in period_presets()}
    year_start, year_end = presets["The last 12 months"]
    quarter_start, quarter_end = presets["The last 3 months"]
    neighbourhoods = list(Neighbourhood.objects.values_list("slug", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    routes = [FundingRoute.COUNCIL_MANAGED, FundingRoute.DIRECT_PAYMENT, FundingRoute.SELF_FUNDED]
    year = urlencode({"start": year_start.isoformat(), "end": year_end.isoformat()})
    return {
        "baseline": [("baseline", "/bench/baseline/")] * total,
        "market": [("market", "/commissioners/market/")] * total,
        "market-year": [("market-year", f"/commissioners/market/?{year}")] * total,
        "market-narrow": [("market-narrow", "/commissioners/market/?" + urlencode({
            "start": quarter_start.isoformat(), "end": quarter_end.isoformat(),
            "neighbourhood": rng.choice(neighbourhoods), "category": rng.choice(categories),
            "route": rng.choice(routes)})) for _ in range(total)],
    }


def _queries_per_page(client, scenarios: dict[str, list[tuple[str, str]]]) -> dict[str, dict]:
    """The SQL queries each page makes, through the signed-in test client, after one warm-up request each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, list[int]] = {}
    for name, items in scenarios.items():
        for _, path in list(dict.fromkeys(items))[:10]:
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts.setdefault(name, []).append(len(queries))
    return {name: {"min": min(values), "max": max(values)} for name, values in counts.items()}


def _compare(paths: list[Path]) -> int:
    """Both scales side by side: latency, and whether each page's queries are the same at both."""
    runs = [json.loads(path.read_text()) for path in paths]
    print("\nBoth scales (p50 / p95 ms; SQL queries per page):")
    print("The pre-aggregated page against the baseline view, each at its scale:")
    print(f"{'page':<15}" + "".join(f"{run['scale']:>34}" for run in runs) + "   queries equal")
    equal_everywhere = True
    for name in runs[0]["results"]:
        cells, queries = [], []
        for run in runs:
            f, q = run["results"][name], run["queries_per_page"][name]
            queries.append((q["min"], q["max"]))
            cells.append(f"{f['p50_ms']:>9.1f} / {f['p95_ms']:>8.1f}  q {q['min']}" +
                         (f"-{q['max']}" if q["max"] != q["min"] else ""))
        equal = len(set(queries)) == 1 and queries[0][0] == queries[0][1]
        equal_everywhere &= equal
        print(f"{name:<15}" + "".join(f"{cell:>34}" for cell in cells) + f"   {'yes' if equal else 'NO'}")
    print("Constant queries: " + ("yes, the same at both scales." if equal_everywhere else "NO, they differ."))
    print("The summary's refresh in the worker (every 15 minutes): " + ", ".join(
        f"{run['scale']} {run['data_set'].get('summary_refresh_s')} s ({run['data_set'].get('summary_rows')} rows)"
        for run in runs))
    return 0 if equal_everywhere else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=60, help="measured requests per scenario (default 60)")
    parser.add_argument("--warmup", type=int, default=6, help="unmeasured requests per scenario first")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads (default 2)")
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", choices=["small", "borough", "ten-boroughs", "both"], default="both")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/...)")
    args = parser.parse_args(argv)
    if args.scale == "both":
        # One process per data set (each with its own embedded servers and Django set-up), then compared.
        rest = [f"--{name}={value}" for name, value in (("requests", args.requests), ("warmup", args.warmup),
                ("concurrency", args.concurrency), ("workers", args.workers), ("rounds", args.rounds))]
        paths = []
        for scale in ("borough", "ten-boroughs"):
            path = Path(tempfile.mkstemp(prefix=f"market-{scale}-", suffix=".json")[1])
            code = subprocess.call([sys.executable, "-m", "bench.market", "--scale", scale, "--json", str(path), *rest],
                                   cwd=ROOT)
            if code:
                return code
            paths.append(path)
        try:
            return _compare(paths)
        finally:
            for path in paths:
                path.unlink(missing_ok=True)
    args.requests = max(10, min(args.requests, 5_000))
    args.rounds = max(1, min(args.rounds, args.requests // 10))

    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = _setup_django(args.scale)
    info, _ = _prepare(args.scale, 1)
    info.update(market_data(args.scale))
    print(f"Data set: {info['providers_total']:,} providers, {info['services_total']:,} services, "
          f"{info['orders']:,} orders ({info['visits']:,} visits), {info['searches']:,} searches", flush=True)
    info.update(build_summary())

    cookie, client = _commissioner_session()
    from django.conf import settings

    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    total = args.requests + args.warmup
    scenarios = _scenarios(random.Random(14), total)
    queries = _queries_per_page(client, scenarios)
    from django.db import connections

    connections.close_all()
    results, memory = measure_on_server(args, env, scenarios, label=", ".join(scenarios), headers=headers,
                                        timeout_s=120)

    base = results["baseline"]
    print()
    print(f"The pre-aggregated market view against the baseline view ({args.scale}; figures from the summary, "
          f"refreshed in the worker in {info['summary_refresh_s']} s):")
    print(f"{'page':<15}{'requests':>10}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'p50 vs base':>13}{'queries':>9}"
          "  statuses")
    for name, f in results.items():
        f["p50_to_baseline"] = round(f["p50_ms"] / base["p50_ms"], 1) if base["p50_ms"] else None
        q = queries[name]
        count = f"{q['min']}" + (f"-{q['max']}" if q["max"] != q["min"] else "")
        print(f"{name:<15}{f['requests']:>10}{f['throughput_rps']:>9.1f}{f['p50_ms']:>10.1f}{f['p95_ms']:>10.1f}"
              f"{f['p50_to_baseline']:>12}x{count:>9}  {f['statuses']}")
    print(f"memory per web process (RSS, MiB): {memory}")
    load = [round(value, 2) for value in os.getloadavg()]
    print(f"machine load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs")

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = RESULTS / f"market-{args.scale}-{stamp}.json"
    document = json.dumps({
        "benchmark": "market", "scale": args.scale, "when_utc": stamp, "data_set": info,
        "settings": {"gunicorn_workers": args.workers, "client_threads": args.concurrency,
                     "requests_per_scenario": args.requests, "warmup_per_scenario": args.warmup,
                     "rounds": args.rounds, "django_settings": "bench.settings (production, DEBUG off)",
                     "signed_in": "commissioner, second factor passed (every scenario, the baseline too)"},
        "pages": {name: items[0][1] for name, items in scenarios.items()},
        "queries_per_page": queries, "memory_per_web_process_mib": memory, "load_average": load,
        "cpus": os.cpu_count(), "results": results,
    }, indent=2) + "\n"
    out.write_text(document)
    if args.json:
        args.json.write_text(document)
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
