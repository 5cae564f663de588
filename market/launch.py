"""`make run`: the whole product on one machine, with nothing installed by hand.

Starts embedded PostgreSQL and Redis (data kept in .embedded/dev/), migrates, loads the demo data,
then runs the web server, one Celery worker and one beat. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from market.demo_accounts import demo_logins_text
from market.embedded import EMBEDDED_DIR, ensure_services


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)  # noqa: S603


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _raise_interrupt(*_):
    raise KeyboardInterrupt


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings.dev")
    print("Starting embedded PostgreSQL and Redis ...", flush=True)
    ensure_services("dev")
    _manage("migrate", "--noinput")
    _manage("load_demo")

    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    celery = [sys.executable, "-m", "celery", "-A", "worker"]
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"{host}:{port}"],
        "worker": [*celery, "worker", "--pool", "solo", "--loglevel", "INFO"],
        "beat": [*celery, "beat", "--loglevel", "INFO",
                 "--schedule", str(EMBEDDED_DIR / "dev" / "celerybeat-schedule")],
    }
    signal.signal(signal.SIGTERM, _raise_interrupt)
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command)  # noqa: S603
        time.sleep(3)
        rule = "=" * 78
        print(f"\n{rule}\nThe care market is running at http://{host}:{port}/")
        print(f"Administration: http://{host}:{port}/admin/    Health: http://{host}:{port}/healthz\n")
        print(demo_logins_text())
        print(f"Press Ctrl-C to stop.\n{rule}", flush=True)
        while all(process.poll() is None for process in processes.values()):
            time.sleep(1)
        stopped = [name for name, process in processes.items() if process.poll() is not None]
        print(f"Stopping everything because {', '.join(stopped)} exited.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
