"""Invoicing a period: time, SQL queries and peak memory at two sizes, and the PDF rendering rate.

    .venv/bin/python -m bench.invoicing [--providers 2000] [--visits 10000,100000] [--pdfs 50]

What it does, on a private embedded PostgreSQL 16 started for this run (thrown away afterwards):
1. migrates, then creates `--providers` providers with one hourly service each and people to book them (half with
   council-managed budgets, so the council pays; half with direct payments, so the person pays), with budgets made
   through `orders.services.budget_create`;
2. for each size, in its own month, writes that many confirmed visits spread evenly over the providers (bulk
   inserts: the benchmark measures invoicing, not placing orders), two orders per provider (one council-funded,
   one person-funded), so each size issues the same number of invoices with more lines in the larger;
3. invoices each month with `invoicing.services.invoicing_run` in a fresh process (so its peak memory is its own),
   counting every SQL statement and reading the process's peak resident memory (`ru_maxrss`);
4. renders `--pdfs` invoices of the larger size to PDF (`invoicing.documents.invoice_pdf_bytes`) and prints the rate;
5. prints a table, the targets (time(large)/time(small) at most 11 for 10x the visits; queries per invoice the same
   at both sizes; peak memory under 300 MB) and writes bench/results/invoicing-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import resource
import time
import uuid
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_TIME_RATIO = 11
TARGET_PEAK_MB = 300
FIRST_MONTH = datetime.date(2026, 1, 1)


def _setup_django(database_url: str | None = None) -> None:
    from market.embedded import start_postgres, start_redis

    os.environ.update({
        "DATABASE_URL": database_url or os.environ.get("BENCH_INVOICING_DATABASE_URL")
        or start_postgres("bench-invoicing", ephemeral=True),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
        or start_redis("bench-invoicing", ephemeral=True),
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PRIVATE_MEDIA_ROOT": str(Path(__file__).resolve().parent / "results" / "private"),
    })
    import django

    django.setup()


def _month(index: int) -> tuple[datetime.date, datetime.date]:
    start = (FIRST_MONTH + datetime.timedelta(days=62 * index)).replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def _prepare(providers_wanted: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from market.accounts.models import CaseloadAssignment, FundingRoute, Person, Role, User
    from market.places.models import Neighbourhood
    from market.taxonomy.models import Category
    from orders.services import budget_create
    from providers.models import Provider, Service

    call_command("migrate", verbosity=0, interactive=False)
    tag = uuid.uuid4().hex[:8]
    place = Neighbourhood.objects.create(name="Bench", slug=f"bench-{tag}", latitude=53.5, longitude=-2.6)
    category = Category.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    Provider.objects.bulk_create([
        Provider(name=f"Bench Care {n:05d}", slug=f"bench-care-{tag}-{n:05d}", legal_form="sole_trader",
                 status="approved", email=f"p{n}@bench.example") for n in range(providers_wanted)], batch_size=2000)
    providers = list(Provider.objects.filter(slug__startswith=f"bench-care-{tag}").order_by("pk"))
    Service.objects.bulk_create([
        Service(provider=provider, title="Bench visit", description="Benchmark service.", category=category,
                price_pence=1750 + (n % 7) * 100, unit="per_hour", status="live")
        for n, provider in enumerate(providers)], batch_size=2000)
    services = list(Service.objects.filter(provider__in=providers).order_by("provider_id").values_list(
        "pk", "provider_id", "price_pence"))
    coordinator = User.objects.create_user(email=f"coord-{tag}@bench.example", full_name="Bench Coordinator",
                                           roles=[Role.COORDINATOR])
    holders = {}
    for route in (FundingRoute.COUNCIL_MANAGED, FundingRoute.DIRECT_PAYMENT):
        rows = []
        for index in range(20):
            user = User.objects.create(email=f"{route}-{index}-{tag}@bench.example", full_name=f"Holder {index}",
                                       roles=[Role.BUDGET_HOLDER], password=make_password(None))
            person = Person.objects.create(user=user, full_name=f"Holder {index}", neighbourhood=place,
                                           funding_route=route)
            CaseloadAssignment.objects.create(coordinator=coordinator, person=person)
            budget = budget_create(holder=person, funding_route=route, council="Bench Council", period="annual",
                                   amount_pence=10_000_000, starts_on=FIRST_MONTH,
                                   ends_on=FIRST_MONTH + datetime.timedelta(days=364), created_by=coordinator)
            rows.append((person.pk, user.pk, budget.pk))
        holders[route] = rows
    return {"services": services, "holders": holders}


def _write_visits(prepared: dict, visits_wanted: int, month: tuple[datetime.date, datetime.date]) -> int:
    """Two completed weekly orders per provider (council-funded and person-funded) with confirmed visits, spread
    over the month's days at 10:00, by bulk insert."""
    from django.utils import timezone

    from market.accounts.models import FundingRoute
    from orders.models import Order, Visit

    start, end = month
    days = (end - start).days + 1
    services = prepared["services"]
    per_order = max(1, visits_wanted // (2 * len(services)))
    orders = []
    for n, (service_id, provider_id, price) in enumerate(services):
        for route in (FundingRoute.COUNCIL_MANAGED, FundingRoute.DIRECT_PAYMENT):
            person_id, user_id, budget_id = prepared["holders"][route][n % len(prepared["holders"][route])]
            orders.append(Order(
                holder_id=person_id, budget_id=budget_id, funding_route=route, service_id=service_id,
                provider_id=provider_id, kind="weekly", status="completed", first_visit_on=start, last_visit_on=end,
                weekdays=list(range(7)), visit_starts_at=datetime.time(10), duration_minutes=60, unit="per_hour",
                unit_price_pence=price, visit_count=per_order, total_pence=price * per_order,
                idempotency_key=uuid.uuid4(), placed_by_id=user_id, placed_as="self",
                provider_told_at=timezone.now()))
    Order.objects.bulk_create(orders, batch_size=2000)
    batch = []
    written = 0
    for order in orders:
        for index in range(per_order):
            starts = timezone.make_aware(datetime.datetime.combine(
                start + datetime.timedelta(days=index % days), datetime.time(10)))
            ends = starts + datetime.timedelta(hours=1)
            batch.append(Visit(order_id=order.pk, starts_at=starts, ends_at=ends, cost_pence=order.unit_price_pence,
                               status="confirmed", actual_starts_at=starts, actual_ends_at=ends))
            if len(batch) == 5000:
                Visit.objects.bulk_create(batch)
                written += len(batch)
                batch = []
    Visit.objects.bulk_create(batch)
    return written + len(batch)


def _invoice(args) -> dict:
    """In a fresh process: invoice one month, counting statements; report time, queries and peak memory."""
    database_url, month, pdfs = args
    _setup_django(database_url)
    from django.db import connection

    from invoicing.documents import invoice_pdf_bytes
    from invoicing.models import Invoice
    from invoicing.services import invoicing_run

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = invoicing_run(period_start=month[0], period_end=month[1])
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rendered = {}
    if pdfs:
        invoices = list(Invoice.objects.filter(period_start=month[0]).select_related("provider", "person")
                        .order_by("pk")[:pdfs])
        invoice_pdf_bytes(invoices[0])  # fonts and styles loaded once, not counted
        started = time.perf_counter()
        size = sum(len(invoice_pdf_bytes(invoice)) for invoice in invoices)
        elapsed = time.perf_counter() - started
        rendered = {"pdfs": len(invoices), "pdf_seconds": elapsed, "pdfs_per_second": len(invoices) / elapsed,
                    "lines_per_pdf": invoices[0].lines.count(), "mean_pdf_bytes": size // len(invoices)}
    connection.close()
    return {"invoices": result.invoices, "visits": result.visits, "seconds": seconds, "queries": statements,
            "queries_per_invoice": statements / max(result.invoices, 1), "rss_before_mb": rss_before,
            "peak_rss_mb": peak, **rendered}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--visits", default="10000,100000", help="visit counts, comma separated, smallest first")
    parser.add_argument("--pdfs", type=int, default=50, help="invoices of the largest size rendered to PDF")
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.visits.split(",")]

    _setup_django()
    from django.db import connection, transaction

    database_url = os.environ["DATABASE_URL"]
    print(f"Preparing {options.providers} providers...", flush=True)
    started = time.perf_counter()
    prepared = _prepare(options.providers)
    for index, size in enumerate(sizes):
        with transaction.atomic():
            written = _write_visits(prepared, size, _month(index))
        print(f"  {written} confirmed visits in {_month(index)[0]:%B %Y}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(f"  ready in {time.perf_counter() - started:.1f} s", flush=True)

    rows = []
    context = multiprocessing.get_context("spawn")
    for index, size in enumerate(sizes):
        pdfs = options.pdfs if index == len(sizes) - 1 else 0
        with context.Pool(1) as pool:
            row = pool.apply(_invoice, ((database_url, _month(index), pdfs),))
        rows.append({"visits_wanted": size, **row})

    print()
    print("| visits | invoices | seconds | visits/s | SQL statements | per invoice | peak RSS MB (before run) |")
    print("| --: | --: | --: | --: | --: | --: | --: |")
    for row in rows:
        rate = row["visits"] / row["seconds"]
        print(f"| {row['visits']:,} | {row['invoices']:,} | {row['seconds']:.1f} | {rate:,.0f} | {row['queries']:,} "
              f"| {row['queries_per_invoice']:.1f} | {row['peak_rss_mb']:.0f} "
              f"({row['rss_before_mb']:.0f}) |")
    small, large = rows[0], rows[-1]
    ratio = large["seconds"] / small["seconds"]
    scale = large["visits"] / max(small["visits"], 1)
    print()
    print(f"time ratio {ratio:.2f} for {scale:.0f}x the visits (target at most {TARGET_TIME_RATIO} for 10x): "
          f"{'met' if ratio <= TARGET_TIME_RATIO else 'NOT met'}")
    # The first month of a year also creates each provider's number sequence (a few statements more per invoice).
    same = large["queries_per_invoice"] <= small["queries_per_invoice"] + 0.01
    print(f"queries per invoice {small['queries_per_invoice']:.1f} and {large['queries_per_invoice']:.1f} with "
          f"{small['visits'] / max(small['invoices'], 1):.0f} and {large['visits'] / max(large['invoices'], 1):.0f} "
          f"visits an invoice: {'do not grow with visits' if same else 'GROW with visits'}")
    peak = max(row["peak_rss_mb"] for row in rows)
    print(f"peak memory {peak:.0f} MB (target under {TARGET_PEAK_MB}): {'met' if peak < TARGET_PEAK_MB else 'NOT met'}")
    if "pdfs_per_second" in large:
        print(f"PDFs: {large['pdfs']} invoices of {large['lines_per_pdf']} lines, {large['pdfs_per_second']:.1f} a "
              f"second, {large['mean_pdf_bytes'] / 1024:.0f} KiB each")

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"invoicing-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"options": vars(options), "machine": platform.platform(), "cpus": os.cpu_count(),
                               "rows": rows, "time_ratio": ratio}, indent=2, default=str))
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
