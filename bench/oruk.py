"""Benchmark: the Open Referral UK feed (/oruk/) against the baseline view, on one gunicorn server.

    .venv/bin/python -m bench.oruk --scale borough --requests 300

The same harness and data sets as bench/directory.py (its embedded PostgreSQL and Redis in
.embedded/bench-<scale>/, generated the first time; one gunicorn server with production settings on loopback;
scenarios taking turns in rounds). Scenarios: the baseline view; `/oruk/services` (random pages of 50, as a
harvester reads); `/oruk/service_at_locations?postcode=...&proximity=...` (pages of 50); a fully nested
`/oruk/services/{id}`. It prints throughput against the baseline, p50/p95, the SQL queries per page (counted
through the test client), and checks that a page of 100 costs the same queries as a page of 10. The feed's
throttle is off for the run (every request comes from 127.0.0.1). Writes bench/results/oruk-<scale>-<time>.json
and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from urllib.parse import urlencode

from bench.directory import (
    RESULTS,
    ROOT,
    _prepare,
    _queries_per_page,
    _setup_django,
    measure_on_server,
)


def _scenarios(rng: random.Random, total: int) -> dict[str, list[tuple[str, str]]]:
    from market.places.models import Postcode
    from oruk.ids import oruk_id
    from providers.selectors import listed_services

    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    listed = list(listed_services().values_list("pk", flat=True)[:2000])
    pages = max(1, len(listed) // 50)
    return {
        "baseline": [("baseline", "/bench/baseline/")] * total,
        "services": [("services", "/oruk/services?" + urlencode({"page": rng.randint(1, pages), "per_page": 50}))
                     for _ in range(total)],
        "near": [("near", "/oruk/service_at_locations?" + urlencode({
            "postcode": rng.choice(postcodes), "proximity": rng.choice([1000, 3000, 5000]), "per_page": 50}))
            for _ in range(total)],
        "service": [("service", f"/oruk/services/{oruk_id('service', rng.choice(listed))}") for _ in range(total)],
    }


def _queries_by_page_size(postcode: str) -> dict[str, list[int]]:
    """Queries for a page of 10 and a page of 100: the same, or the feed's cost grows with its pages."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    found = {}
    for name, path in (("services", "/oruk/services?per_page={n}"),
                       ("near", f"/oruk/service_at_locations?postcode={postcode}&proximity=5000&per_page={{n}}")):
        counts = []
        for size in (10, 100):
            client.get(path.format(n=size))
            with CaptureQueriesContext(connection) as queries:
                client.get(path.format(n=size))
            counts.append(len(queries))
        found[name] = counts
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per scenario (default 300)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", choices=["borough", "ten-boroughs"], default="borough")
    args = parser.parse_args(argv)
    args.requests = max(10, min(args.requests, 20_000))
    args.rounds = max(1, min(args.rounds, args.requests // 10))

    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["ORUK_REQUESTS_PER_MINUTE"] = "0"
    env = _setup_django(args.scale)
    env["ORUK_REQUESTS_PER_MINUTE"] = "0"
    info, _ = _prepare(args.scale, 1)
    print(f"Data set: {info['providers_total']} providers, {info['services_total']} services "
          f"({info['services_listed']} listed)", flush=True)

    rng = random.Random(16)
    total = args.requests + args.warmup
    scenarios = _scenarios(rng, total)
    queries = _queries_per_page(scenarios)
    by_size = _queries_by_page_size(scenarios["near"][0][1].split("postcode=")[1].split("&")[0])
    from django.db import connections

    connections.close_all()
    results, memory = measure_on_server(args, env, scenarios, label=", ".join(scenarios))

    base = results["baseline"]["throughput_rps"]
    print()
    print(f"{'scenario':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'vs baseline':>13}  statuses")
    for name, f in results.items():
        f["ratio_to_baseline"] = round(f["throughput_rps"] / base, 3) if base else None
        print(f"{name:<12}{f['requests']:>10}{f['throughput_rps']:>10.1f}{f['p50_ms']:>10.1f}{f['p95_ms']:>10.1f}"
              f"{f['ratio_to_baseline']:>12.0%}  {f['statuses']}")
    print("queries per page: " + "; ".join(
        f"{kind}: {v['min']}" + (f"-{v['max']}" if v["max"] != v["min"] else "") for kind, v in queries.items()))
    print("queries for a page of 10 / of 100: " + "; ".join(f"{k}: {a} / {b}" for k, (a, b) in by_size.items()))
    print(f"memory per web process (RSS, MiB): {memory}")

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = RESULTS / f"oruk-{args.scale}-{stamp}.json"
    out.write_text(json.dumps({
        "benchmark": "oruk", "when_utc": stamp, "data_set": info,
        "settings": {"gunicorn_workers": args.workers, "client_threads": args.concurrency,
                     "requests_per_scenario": args.requests, "rounds": args.rounds},
        "queries_per_page": queries, "queries_by_page_size": by_size, "memory_per_web_process_mib": memory,
        "results": results,
    }, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
