"""`make run`: the whole product on one machine, with nothing installed by hand.

Starts embedded PostgreSQL and Redis (data kept in .embedded/dev/), migrates, loads the demo data,
then runs the web server, one Celery worker and one beat, starting a worker or beat again if it stops
(market/supervise.py). Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from market.demo_accounts import demo_logins_text
from market.embedded import EMBEDDED_DIR, ensure_services
from market.supervise import Child, Supervisor


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)  # noqa: S603


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
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}")  # every link in an email points here
    celery = [sys.executable, "-m", "celery", "-A", "worker"]
    children = [
        Child("web server", [sys.executable, "manage.py", "runserver", f"{host}:{port}"], essential=True),
        Child("worker", [*celery, "worker", "--pool", "solo", "--loglevel", "INFO"]),
        Child("beat", [*celery, "beat", "--loglevel", "INFO",
                       "--schedule", str(EMBEDDED_DIR / "dev" / "celerybeat-schedule")]),
    ]
    supervisor = Supervisor(children)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        supervisor.start()
        time.sleep(3)
        rule = "=" * 78
        print(f"\n{rule}\nThe care market is running at http://{host}:{port}/")
        print(f"Administration: http://{host}:{port}/admin/    Health: http://{host}:{port}/healthz\n")
        print(demo_logins_text())
        print(f"A worker or beat that stops is started again; the web server keeps running.\nPress Ctrl-C to stop.\n"
              f"{rule}", flush=True)
        return supervisor.watch()
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
