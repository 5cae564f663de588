"""A small process supervisor for `make run`: the web server is the product, so it stays up; a worker or beat that
dies is started again (a few times, then left stopped with a clear message) while /healthz says what is wrong."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Child:
    name: str
    command: list[str]
    essential: bool = False  # the whole launcher stops when an essential child stops (the web server)
    restarts: int = 0
    given_up: bool = False
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)  # noqa: S603

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Start every child, then watch them until `stop` is set or an essential child exits."""

    def __init__(self, children: list[Child], *, max_restarts: int = 5, poll_seconds: float = 1.0, out=None):
        self.children = children
        self.max_restarts = max_restarts
        self.poll_seconds = poll_seconds
        self.out = out or sys.stderr
        self.stop = threading.Event()

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def start(self) -> None:
        for child in self.children:
            child.start()

    def watch(self) -> int:
        """Returns 0 when stopped on request, 1 when an essential child exited."""
        while not self.stop.wait(self.poll_seconds):
            for child in self.children:
                if child.running or child.given_up:
                    continue
                code = child.process.returncode if child.process else None
                if child.essential:
                    self.say(f"The {child.name} stopped (exit code {code}); stopping everything.")
                    return 1
                if child.restarts >= self.max_restarts:
                    child.given_up = True
                    self.say(f"The {child.name} stopped again (exit code {code}) after {child.restarts} restarts; "
                             f"leaving it stopped. The site stays up and /healthz reports the problem. "
                             f"See the {child.name}'s messages above, then restart `make run`.")
                    continue
                child.restarts += 1
                self.say(f"The {child.name} stopped (exit code {code}); starting it again "
                         f"(restart {child.restarts} of {self.max_restarts}).")
                child.start()
        return 0

    def stop_all(self, timeout: float = 15) -> None:
        for child in self.children:
            if child.running:
                child.process.terminate()
        deadline = time.monotonic() + timeout
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
