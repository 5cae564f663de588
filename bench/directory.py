"""Benchmark: directory search and storefront pages against a baseline, on one gunicorn server.

    .venv/bin/python -m bench                      # both data sets, one after the other
    .venv/bin/python -m bench.directory --scale borough --requests 400 --concurrency 4

What it does, all on this machine and on loopback only:
1. starts its own embedded PostgreSQL and Redis for the data set (.embedded/bench-<scale>/, kept between runs);
2. migrates and, the first time, generates the data set (bench/dataset.py: a borough of 5,000 services, or
   ten boroughs of 50,000), then ANALYZE;
3. counts the database queries each kind of page makes (in this process, through Django's test client);
4. starts ONE gunicorn server (bench.settings: production settings, DEBUG off) on 127.0.0.1;
5. sends each scenario (baseline, search, storefront) a warm-up, then a fixed number of requests from a few
   client threads with keep-alive connections, recording each latency; the scenarios take turns in rounds
   (a third of each one's requests per round by default), so a burst of other work on the machine hits all
   three alike and the ratios to the baseline stay comparable;
6. reads each gunicorn worker's resident memory (from /proc) after the run;
7. prints a table (throughput, p50, p95, ratio to the baseline, queries per page) and writes
   bench/results/directory-<scale>-<time>.json.
It stops the server and exits by itself. Targets: search >= 40% of the baseline's throughput, storefront >= 50%.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"search": 0.40, "storefront": 0.50}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup_django(scale: str) -> dict:
    from market.embedded import start_postgres, start_redis

    env = {
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or start_postgres(f"bench-{scale}"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL") or start_redis(f"bench-{scale}"),
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CONN_MAX_AGE": "600",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def _prepare(scale: str, storefront_count: int) -> tuple[dict, list[str]]:
    from django.core.management import call_command

    from bench import dataset

    wanted = dataset.SCALES[scale]
    print(f"Migrating the benchmark database ({scale}) ...", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    info = {"scale": scale, "generated_now": False}
    if not dataset.dataset_ready(wanted):
        from providers.models import Service

        if Service.objects.exists():
            raise SystemExit(f"The {scale} database holds another data set: run again with --regenerate.")
        print(f"Generating the data set ({wanted // dataset.SERVICES_PER_PROVIDER:,} providers, "
              f"{wanted:,} services) ...", flush=True)
        info = {"scale": scale, "generated_now": True, **dataset.generate(wanted)}
        dataset.compact_listing()
    slugs = dataset.storefronts(storefront_count)
    dataset.analyze()
    from providers.models import Provider, Service
    from providers.selectors import listed_services

    info.update({
        "providers_total": Provider.objects.count(),
        "services_total": Service.objects.count(),
        "services_listed": listed_services().count(),
    })
    return info, slugs


def _queries_per_page(scenarios: dict[str, list[tuple[str, str]]]) -> dict[str, dict]:
    """The database queries each kind of page makes, counted through Django's test client on a sample of the
    measured URLs (after one warm-up request each, as a warm server would serve them)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts: dict[str, list[int]] = {}
    for name, items in scenarios.items():
        for kind, path in items[:30]:
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts.setdefault(kind if name == "search" else name, []).append(len(queries))
    return {kind: {"min": min(values), "max": max(values)} for kind, values in sorted(counts.items())}


def _worker_memory_mib(server_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the server's children), read from /proc; empty off Linux."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != server_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sorted(sizes)


def _search_urls(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A mix: postcode + category; free text; filter combinations; each (kind, path)."""
    from market.places.models import Postcode
    from market.taxonomy.models import Category, Need

    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    districts = sorted({p.split(" ")[0] for p in postcodes})
    categories = list(Category.objects.values_list("slug", flat=True))
    needs = list(Need.objects.values_list("slug", flat=True))
    words = ["garden", "tea chat", "walks park", "cooking", "wheelchair", "dementia", "hospital lifts", "knitting",
             "cleaning laundry", "phone tablet", "respite carer", "halal meals", "music", "shopping"]
    urls = []
    for n in range(count):
        kind = ("postcode+category", "free text", "filters")[n % 3]
        if kind == "postcode+category":
            params = {"postcode": rng.choice(postcodes), "category": rng.choice(categories)}
        elif kind == "free text":
            params = {"q": rng.choice(words)}
            if rng.random() < 0.5:
                params["postcode"] = rng.choice(districts)
        else:
            params = {"postcode": rng.choice(postcodes), "need": rng.choice(needs), "day": str(rng.randrange(7)),
                      "time": rng.choice(["morning", "afternoon", "evening"]), "max_price": str(rng.randint(12, 30))}
            if rng.random() < 0.3:
                params["language"] = rng.choice(["Urdu", "Polish", "English"])
            if rng.random() < 0.3:
                params["sort"] = rng.choice(["price", "newest", "distance"])
            if rng.random() < 0.2:
                params["regulated"] = rng.choice(["only", "exclude"])
        urls.append((kind, "/find-support/?" + urlencode(params)))
    return urls


def _wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {path} within {timeout} s")


def _run(port: int, items: list[tuple[str, str]], concurrency: int, headers: dict[str, str] | None = None) -> dict:
    """Send every (kind, path) once, from `concurrency` threads with keep-alive connections (with `headers`, e.g. a
    session cookie). Returns the raw figures (latencies, per kind, status codes, elapsed seconds); `_summary` turns
    rounds of them into a result."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(reversed(items))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes, kinds = [], {}, {}
        while True:
            with lock:
                if not queue:
                    break
                kind, path = queue.pop()
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 599
            mine.append(time.perf_counter() - started)
            kinds.setdefault(kind, []).append(mine[-1])
            codes[status] = codes.get(status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for kind, values in kinds.items():
                by_kind.setdefault(kind, []).extend(values)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "by_kind": by_kind, "statuses": statuses,
            "seconds": time.perf_counter() - started}


def _summary(rounds: list[dict]) -> dict:
    """Throughput (all requests over the time spent on them), p50/p95 overall and per kind, status codes."""
    latencies = sorted(value for part in rounds for value in part["latencies"])
    elapsed = sum(part["seconds"] for part in rounds)
    by_kind: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    for part in rounds:
        for kind, values in part["by_kind"].items():
            by_kind.setdefault(kind, []).extend(values)
        for code, n in part["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "rounds_rps": [round(len(part["latencies"]) / part["seconds"], 1) for part in rounds],
        "by_kind": {
            kind: {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
                   "p95_ms": round(sorted(values)[int(0.95 * (len(values) - 1))] * 1000, 1)}
            for kind, values in sorted(by_kind.items())
        },
    }


def measure_on_server(args, env: dict, scenarios: dict[str, list[tuple[str, str]]], *, label: str,
                      headers: dict[str, str] | None = None, timeout_s: int | None = None) -> tuple[dict, list[float]]:
    """Start ONE gunicorn server (bench.settings) on loopback, warm every scenario up, then measure them taking
    turns, a slice each per round (on a machine shared with other work, a burst of load then hits all scenarios
    alike instead of whichever happened to be running); stop the server. Returns each scenario's summary and each
    worker's resident memory."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "market.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning",
               "--env", "DJANGO_SETTINGS_MODULE=bench.settings"]
    if timeout_s is not None:
        command += ["--timeout", str(timeout_s)]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        _wait_for(port, "/bench/baseline/")
        for items in scenarios.values():
            _run(port, items[: args.warmup], args.concurrency, headers)
        print(f"Measuring {label} in turn ({args.rounds} rounds, {args.requests} requests each, "
              f"{args.concurrency} clients) ...", flush=True)
        parts: dict[str, list[dict]] = {name: [] for name in scenarios}
        for number in range(args.rounds):
            for name, items in scenarios.items():
                measured = items[args.warmup:]
                size = -(-len(measured) // args.rounds)
                parts[name].append(_run(port, measured[number * size:(number + 1) * size], args.concurrency,
                                        headers))
        results = {name: _summary(rounds) for name, rounds in parts.items()}
        memory = _worker_memory_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return results, memory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="measured requests per scenario (default 600)")
    parser.add_argument("--warmup", type=int, default=60, help="unmeasured requests per scenario first")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2)),
                        help="gunicorn sync workers (default: one per CPU)")
    parser.add_argument("--storefronts", type=int, default=50, help="storefront pages to rotate through")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the scenarios take turns this many times, a slice of the requests each (default 3)")
    parser.add_argument("--regenerate", action="store_true", help="throw the data set away and build it again")
    parser.add_argument("--scale", choices=["borough", "ten-boroughs", "both"], default="both",
                        help="data set: a borough (5,000 services), ten boroughs (50,000), or both in turn")
    args = parser.parse_args(argv)
    if args.scale == "both":
        # One process per data set: each has its own embedded servers and its own Django set-up.
        rest = [f"--{name}={value}" for name, value in
                (("requests", args.requests), ("warmup", args.warmup), ("concurrency", args.concurrency),
                 ("workers", args.workers), ("storefronts", args.storefronts), ("rounds", args.rounds))]
        rest += ["--regenerate"] if args.regenerate else []
        codes = [subprocess.call([sys.executable, "-m", "bench.directory", "--scale", scale, *rest], cwd=ROOT)
                 for scale in ("borough", "ten-boroughs")]
        return max(codes)
    args.requests = max(10, min(args.requests, 20_000))  # bounded whatever is asked
    args.rounds = max(1, min(args.rounds, args.requests // 10))

    os.chdir(ROOT)
    # Stopped from outside (timeout, Ctrl-C): still stop the server this run started (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.regenerate:  # a new database: migrations seed what the data set builds on (kinds of check)
        from market.embedded import EMBEDDED_DIR

        shutil.rmtree(EMBEDDED_DIR / f"bench-{args.scale}", ignore_errors=True)
    env = _setup_django(args.scale)
    info, slugs = _prepare(args.scale, args.storefronts)
    print(f"Data set: {info['providers_total']} providers, {info['services_total']} services "
          f"({info['services_listed']} listed)", flush=True)

    rng = random.Random(7)
    total = args.requests + args.warmup
    scenarios = {
        "baseline": [("baseline", "/bench/baseline/")] * total,
        "search": _search_urls(rng, total),
        "storefront": [("storefront", f"/providers/{rng.choice(slugs)}/") for _ in range(total)],
    }

    queries = _queries_per_page(scenarios)
    from django.db import connections

    connections.close_all()
    results, memory = measure_on_server(args, env, scenarios, label="baseline, search and storefront")

    base = results["baseline"]["throughput_rps"]
    for name, figures in results.items():
        figures["ratio_to_baseline"] = round(figures["throughput_rps"] / base, 3) if base else None
        if name in TARGETS:
            figures["target_ratio"] = TARGETS[name]
            figures["meets_target"] = figures["ratio_to_baseline"] >= TARGETS[name]

    print()
    print(f"{'scenario':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'vs baseline':>13}"
          f"{'target':>9}  statuses")
    for name, f in results.items():
        target = f"≥{f['target_ratio']:.0%}" if "target_ratio" in f else ""
        verdict = ("" if "meets_target" not in f else (" ok" if f["meets_target"] else " MISSED"))
        print(f"{name:<12}{f['requests']:>10}{f['throughput_rps']:>10.1f}{f['p50_ms']:>10.1f}{f['p95_ms']:>10.1f}"
              f"{f['ratio_to_baseline']:>12.0%} {target:>8}{verdict}  {f['statuses']}")

    kinds = results["search"]["by_kind"]
    print("search by kind: " + "; ".join(f"{k}: p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms" for k, v in kinds.items()))
    print("req/s per round: " + "; ".join(f"{name} {f['rounds_rps']}" for name, f in results.items()))
    print("queries per page: " + "; ".join(
        f"{kind}: {v['min']}" + (f"-{v['max']}" if v["max"] != v["min"] else "") for kind, v in queries.items()))
    print(f"memory per web process (RSS, MiB): {memory}")

    from django.conf import settings

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = RESULTS / f"directory-{args.scale}-{stamp}.json"
    out.write_text(json.dumps({
        "benchmark": "directory",
        "when_utc": stamp,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "settings": {"gunicorn_workers": args.workers, "client_threads": args.concurrency,
                     "requests_per_scenario": args.requests, "warmup_per_scenario": args.warmup,
                     "rounds": args.rounds,
                     "django_settings": "bench.settings (production, DEBUG off)"},
        "data_set": info,
        "search_engine": settings.DIRECTORY_SEARCH_ENGINE,
        "queries_per_page": queries,
        "memory_per_web_process_mib": memory,
        "results": results,
    }, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
