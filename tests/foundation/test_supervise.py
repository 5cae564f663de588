"""Hardening: `make run` supervises its processes (market/supervise.py). Real child processes: a worker that dies
is started again, a few times, then left stopped with a clear message, while the web server stays up."""

import io
import os
import signal
import sys
import threading
import time

from market.supervise import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys, time; time.sleep(0.2); sys.exit(3)"]


def _run(supervisor: Supervisor) -> tuple[threading.Thread, list]:
    result = []
    supervisor.start()
    thread = threading.Thread(target=lambda: result.append(supervisor.watch()))
    thread.start()
    return thread, result


def _until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_killed_worker_is_started_again_and_the_web_stays_up():
    web, worker = Child("web server", SLEEPER, essential=True), Child("worker", SLEEPER)
    out = io.StringIO()
    supervisor = Supervisor([web, worker], poll_seconds=0.05, out=out)
    thread, result = _run(supervisor)
    try:
        first = worker.process.pid
        os.kill(first, signal.SIGKILL)  # as `kill -9` of the worker

        assert _until(lambda: worker.restarts == 1 and worker.running)
        assert worker.process.pid != first
        assert web.running and web.restarts == 0
        assert "The worker stopped (exit code -9); starting it again (restart 1 of 5)." in out.getvalue()
    finally:
        supervisor.stop.set()
        thread.join(10)
        supervisor.stop_all()
    assert result == [0]


def test_a_worker_that_keeps_crashing_is_left_stopped_with_a_message_and_the_web_stays_up():
    web, worker = Child("web server", SLEEPER, essential=True), Child("worker", CRASHER)
    out = io.StringIO()
    supervisor = Supervisor([web, worker], max_restarts=2, poll_seconds=0.05, out=out)
    thread, _ = _run(supervisor)
    try:
        assert _until(lambda: worker.given_up)
        assert (worker.restarts, web.running) == (2, True)
        assert "The worker stopped again (exit code 3) after 2 restarts; leaving it stopped." in out.getvalue()
        assert "/healthz reports the problem" in out.getvalue()
    finally:
        supervisor.stop.set()
        thread.join(10)
        supervisor.stop_all()
    assert not web.running


def test_the_launcher_stops_when_the_web_server_stops():
    web, worker = Child("web server", CRASHER, essential=True), Child("worker", SLEEPER)
    out = io.StringIO()
    supervisor = Supervisor([web, worker], poll_seconds=0.05, out=out)
    thread, result = _run(supervisor)
    thread.join(20)
    supervisor.stop_all()

    assert result == [1]
    assert "The web server stopped (exit code 3); stopping everything." in out.getvalue()
    assert not worker.running
