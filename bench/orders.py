"""Order placement throughput through the service layer, against a bare insert-and-commit baseline.

    .venv/bin/python -m bench.orders [--seconds 10] [--workers 8] [--rounds 5]

What it does, on a private embedded PostgreSQL 16 started for this run (thrown away afterwards):
1. migrates, then creates one listed service and, per worker, a holder with a four-week budget (as the
   product does, through `orders.services.budget_create`);
2. baseline: `--workers` processes each insert one row with `Model.objects.create()` inside
   `transaction.atomic()` (BEGIN, INSERT, COMMIT) in a loop; also, for information, a raw cursor INSERT in
   autocommit (one round trip, no Django);
3. orders: `--workers` processes each call `orders.services.order_place` (permission check, placement
   rules, budget row lock, per-period affordability check, order + reservation + transition + audit rows,
   deferred ledger guard trigger at commit) against their own budget, one new order (new idempotency key)
   each time, visits on the plan's days in turn;
4. contended (for information): the same, but every worker orders against ONE budget, so all of them
   queue on that budget's row lock (ADR 0002);
5. the four scenarios take turns, `--rounds` times, `--seconds / --rounds` each turn, so that a change in
   the machine's load during the run hits every scenario alike; each scenario is measured `--seconds` in all;
6. prints operations per second for each, the ratio of orders to the baseline (target: at least 0.25) overall
   and per round, and writes bench/results/orders-<time>.json.

Processes, not threads, so Python's GIL does not flatter or starve either side.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_RATIO = 0.25


def _setup_django() -> None:
    from market.embedded import start_postgres, start_redis

    os.environ.update({
        "DATABASE_URL": os.environ.get("BENCH_ORDERS_DATABASE_URL") or start_postgres("bench-orders", ephemeral=True),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL") or start_redis("bench-orders", ephemeral=True),
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CONN_MAX_AGE": "600",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    })
    import django

    django.setup()


def _prepare(workers: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from market.accounts.models import CaseloadAssignment, FundingRoute, Person, Role, User
    from market.places.models import Neighbourhood
    from market.taxonomy.models import Category
    from orders.services import budget_create
    from providers.models import CheckType, Provider, ProviderCheck, ProviderMembership, Service

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, worker int NOT NULL, "
                       "n int NOT NULL, at timestamptz NOT NULL DEFAULT now())")
    today = timezone.localdate()
    place = Neighbourhood.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}", latitude=53.5,
                                         longitude=-2.6)
    category = Category.objects.create(name=f"Bench {uuid.uuid4().hex[:6]}", slug=f"bench-{uuid.uuid4().hex[:8]}")
    provider = Provider.objects.create(name="Bench Care", slug=f"bench-care-{uuid.uuid4().hex[:8]}",
                                       legal_form="sole_trader", status="approved", email="bench@bench.example")
    provider.neighbourhoods.add(place)
    owner = User.objects.create_user(email=f"owner-{uuid.uuid4().hex[:8]}@bench.example", full_name="Bench Owner",
                                     roles=[Role.PROVIDER_MEMBER])
    ProviderMembership.objects.create(provider=provider, user=owner, role="owner")
    for check_type in CheckType.objects.filter(is_mandatory=True):
        ProviderCheck.objects.create(
            provider=provider, check_type=check_type, person_name="Bench", reference="BENCH",
            issued_on=today - datetime.timedelta(days=10), expires_on=today + datetime.timedelta(days=300),
            file="checks/bench/evidence.pdf", status="approved", decided_at=timezone.now(),
        )
    service = Service.objects.create(provider=provider, title="Bench visit", description="Benchmark service.",
                                     category=category, price_pence=1750, unit="per_hour", status="live")
    coordinator = User.objects.create_user(email=f"coord-{uuid.uuid4().hex[:8]}@bench.example",
                                           full_name="Bench Coordinator", roles=[Role.COORDINATOR])
    budgets = []
    for index in range(workers + 1):  # one each, plus one shared budget for the contended run
        user = User.objects.create_user(email=f"holder{index}-{uuid.uuid4().hex[:8]}@bench.example",
                                        full_name=f"Holder {index}", roles=[Role.BUDGET_HOLDER])
        person = Person.objects.create(user=user, full_name=f"Holder {index}", neighbourhood=place,
                                       funding_route=FundingRoute.DIRECT_PAYMENT)
        CaseloadAssignment.objects.create(coordinator=coordinator, person=person)
        budget = budget_create(holder=person, funding_route=FundingRoute.DIRECT_PAYMENT, council="Bench Council",
                               period="weekly", amount_pence=10_000_000, starts_on=today,
                               ends_on=today + datetime.timedelta(days=27), created_by=coordinator)
        budgets.append((budget.pk, user.pk))
    return {"service_id": service.pk, "budgets": budgets}


def _baseline_worker(args) -> tuple[int, float]:
    worker, seconds = args
    from django.db import connection

    connection.close()  # a fresh connection of this process's own
    count = 0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            cursor.execute("INSERT INTO bench_baseline (worker, n) VALUES (%s, %s)", [worker, count])  # autocommit
            count += 1
        elapsed = time.perf_counter() - started
    connection.close()
    return count, elapsed


def _bench_row_model():
    """A throwaway, unmanaged model over the bench_baseline table (created by _prepare), defined only in the
    benchmark process."""
    from django.apps import apps
    from django.db import models

    try:
        return apps.get_model("bench_orders", "BenchRow")
    except LookupError:
        pass

    class BenchRow(models.Model):
        worker = models.IntegerField()
        n = models.IntegerField()

        class Meta:
            app_label = "bench_orders"
            db_table = "bench_baseline"
            managed = False

        def __str__(self):
            return f"{self.worker}:{self.n}"

    return BenchRow


def _baseline_orm_worker(args) -> tuple[int, float]:
    worker, seconds = args
    from django.db import connection, transaction

    connection.close()
    model = _bench_row_model()
    connection.ensure_connection()  # a fresh connection of this process's own, opened before the clock starts
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        with transaction.atomic():
            model.objects.create(worker=worker, n=count)
        count += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return count, elapsed


def _orders_worker(args) -> tuple[int, float]:
    budget_id, user_id, service_id, seconds = args
    from django.db import connection
    from django.utils import timezone

    from market.accounts.models import User
    from orders.models import Budget
    from orders.services import order_place
    from providers.models import Service

    connection.close()
    user = User.objects.get(pk=user_id)
    budget = Budget.objects.select_related("holder").get(pk=budget_id)
    service = Service.objects.get(pk=service_id)
    # Visits on the 3rd to the 26th day of the four-week plan, in turn: every order is reserved in the week
    # its visit falls in, so a budget can take ~22,800 orders (4 weeks x £100,000 / £17.50) before it runs out.
    days = [timezone.localdate() + datetime.timedelta(days=3 + offset) for offset in range(24)]
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        order_place(user=user, budget=budget, service=service, kind="one_off", first_visit_on=days[count % 24],
                    visit_starts_at=datetime.time(10), duration_minutes=60, idempotency_key=uuid.uuid4())
        count += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return count, elapsed


def _run(pool_size: int, function, jobs: list) -> list[tuple[int, float]]:
    """(operations, seconds) of each worker process."""
    from django.db import connections

    connections.close_all()  # never share a connection with the forked workers
    with multiprocessing.get_context("fork").Pool(pool_size) as pool:
        return pool.map(function, jobs)


def _figures(rounds: list[list[tuple[int, float]]]) -> dict:
    """One scenario over every round: operations per second is the sum over workers of each worker's
    operations divided by its measured seconds (all rounds together)."""
    workers = len(rounds[0])
    counts = [sum(outcomes[w][0] for outcomes in rounds) for w in range(workers)]
    seconds = [sum(outcomes[w][1] for outcomes in rounds) for w in range(workers)]
    per_round = [round(sum(count / elapsed for count, elapsed in outcomes), 1) for outcomes in rounds]
    return {"operations": sum(counts), "per_second": round(sum(c / t for c, t in zip(counts, seconds, strict=True)), 1),
            "per_worker": counts, "per_round": per_round}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario (default 10)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent worker processes (default 8)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the scenarios take turns this many times, --seconds/--rounds each turn (default 5)")
    args = parser.parse_args(argv)
    args.seconds = max(1.0, min(args.seconds, 120.0))
    args.workers = max(1, min(args.workers, 32))
    args.rounds = max(1, min(args.rounds, 20))

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    _setup_django()
    print("Preparing the benchmark database ...", flush=True)
    data = _prepare(args.workers)
    own = data["budgets"][: args.workers]
    shared_budget, shared_user = data["budgets"][-1]
    service_id = data["service_id"]

    def jobs(scenario: str, seconds: float) -> list:
        if scenario in ("baseline", "raw"):
            return [(w, seconds) for w in range(args.workers)]
        if scenario == "orders":
            return [(b, u, service_id, seconds) for b, u in own]
        return [(shared_budget, shared_user, service_id, seconds)] * args.workers

    functions = {"baseline": _baseline_orm_worker, "raw": _baseline_worker, "orders": _orders_worker,
                 "contended": _orders_worker}
    # A short warm-up of each, unmeasured (connections, caches, plans).
    for scenario, function in functions.items():
        _run(args.workers, function, jobs(scenario, 0.5))

    # The scenarios take turns (baseline, raw, orders, contended; again and again) rather than running one
    # after the other: on a shared machine the load changes over a minute, and a ratio between two scenarios
    # measured at different moments measures that change as much as the code.
    slice_seconds = args.seconds / args.rounds
    print(f"Measuring {args.workers} workers, {args.rounds} rounds of {slice_seconds:.1f} s per scenario: "
          "Django insert+commit (baseline), raw autocommit INSERT, order_place on own budgets, order_place all on "
          "ONE budget ...", flush=True)
    outcomes: dict[str, list] = {scenario: [] for scenario in functions}
    for _round in range(args.rounds):
        for scenario, function in functions.items():
            outcomes[scenario].append(_run(args.workers, function, jobs(scenario, slice_seconds)))
    baseline, raw, orders, contended = (_figures(outcomes[scenario]) for scenario in functions)

    def ratio(figures, base):
        return round(figures["per_second"] / base["per_second"], 3) if base["per_second"] else 0.0

    rows = [
        ("baseline: Django create+commit", baseline),
        ("raw INSERT, autocommit", raw),
        ("order_place (own budgets)", orders),
        ("order_place (one shared budget)", contended),
    ]
    print()
    print(f"{'scenario':<34}{'ops':>8}{'ops/s':>10}{'vs baseline':>13}{'vs raw':>9}")
    for name, figures in rows:
        print(f"{name:<34}{figures['operations']:>8}{figures['per_second']:>10}{ratio(figures, baseline):>13.3f}"
              f"{ratio(figures, raw):>9.3f}")
    main_ratio = ratio(orders, baseline)
    round_ratios = [round(o / b, 3) if b else 0.0 for o, b in zip(orders["per_round"], baseline["per_round"],
                                                                   strict=True)]
    print(f"\nPer round, order_place / baseline: {', '.join(f'{r:.3f}' for r in round_ratios)}")
    meets = main_ratio >= TARGET_RATIO
    print(f"\nTarget: order placement at least {TARGET_RATIO:.0%} of the baseline: {'met' if meets else 'NOT met'} "
          f"({main_ratio:.1%} of Django insert+commit; {ratio(orders, raw):.1%} of a raw autocommit INSERT).")

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"orders-{stamp}.json"
    path.write_text(json.dumps({
        "benchmark": "orders",
        "at": stamp,
        "seconds": args.seconds,
        "workers": args.workers,
        "rounds": args.rounds,
        "round_ratios": round_ratios,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "baseline": {**baseline, "what": "Model.objects.create() of one row inside transaction.atomic()"},
        "raw_insert": {**raw, "what": "cursor INSERT of one row in autocommit",
                       "ratio_to_baseline": ratio(raw, baseline)},
        "order_place": {**orders, "ratio_to_baseline": main_ratio, "ratio_to_raw": ratio(orders, raw)},
        "order_place_one_budget": {**contended, "ratio_to_baseline": ratio(contended, baseline),
                                   "ratio_to_raw": ratio(contended, raw)},
        "target_ratio": TARGET_RATIO,
        "meets_target": meets,
    }, indent=2))
    print(f"Wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
