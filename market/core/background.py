"""How every background task is declared: the worker's reliability rules in one place (docs/adr/0006).

Every task is acknowledged only once it has finished (`acks_late`), and put back on the queue if the process
running it dies (`reject_on_worker_lost`), so a restart never loses one; tasks are idempotent, so a re-run never
doubles one. A task retries, with exponential backoff and a cap, only on errors that can recover by themselves (the
database or Redis briefly unreachable, a deadlock or serialisation failure); any other error is a fault, recorded
as a failed run for staff to see. A frequent task (every few seconds) does not retry at all: its next run is the
retry. Nothing waits in a countdown: work due later is a row with a due time that a frequent task claims.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Errors a task may meet through no fault of its own, and that time can cure. Django's OperationalError covers a
#: lost or refused database connection, a deadlock and a serialisation failure.
RECOVERABLE_TASK_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError,
)

#: Retries: 5 s, 10 s, 20 s... (with jitter) up to 10 minutes apart, at most 5 times. Every delay stays far below
#: the broker's visibility timeout (an hour), so a retry is never delivered twice.
RETRY_BACKOFF_SECONDS = 5
RETRY_BACKOFF_MAX_SECONDS = 600
MAX_RETRIES = 5


def reliability_options(*, frequent: bool = False) -> dict:
    """The Celery task options every task of ours uses (also checked by tests for every registered task)."""
    options = {"ignore_result": True, "acks_late": True, "reject_on_worker_lost": True}
    if not frequent:
        options.update(autoretry_for=RECOVERABLE_TASK_ERRORS, retry_backoff=RETRY_BACKOFF_SECONDS,
                       retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS, retry_jitter=True, max_retries=MAX_RETRIES)
    return options


def background_task(*, name: str, frequent: bool = False, **options):
    """Declare a task: `@background_task(name="orders.tasks.send_reminders")`. `frequent=True` for a task beat runs
    every few seconds, which should not pile retries on top of its own next run."""
    return shared_task(name=name, **reliability_options(frequent=frequent), **options)
