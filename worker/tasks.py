"""Tasks stay thin: they take ids, reload, and call a domain service."""

from celery.signals import worker_ready

from market.core.background import background_task
from market.core.health import heartbeat_record
from market.core.runs import recorded, task_run, task_runs_prune
from market.outbox.digests import digests_send_due
from market.outbox.services import outbox_send_due
from market.outbox.tasks_queue import queued_tasks_dispatch


@background_task(name="worker.tasks.heartbeat", frequent=True)
def heartbeat() -> None:
    heartbeat_record()


@worker_ready.connect
def _heartbeat_at_start(**_) -> None:
    """A worker that has just started is alive: /healthz need not wait for beat's first heartbeat."""
    heartbeat_record()


@background_task(name="worker.tasks.send_outbox", frequent=True)
def send_outbox() -> int:
    """Send the outbox's due emails (beat, every 10 seconds). Safe to run in several workers at once: each email
    is claimed with SKIP LOCKED. A refused email waits for its next try; it is not this task that retries."""
    with task_run("worker.tasks.send_outbox") as run:
        report = outbox_send_due()
        if report.sent:
            run.done(report.sent)
        if report.retrying or report.failed:
            run.failed(report.retrying + report.failed)
    return report.sent


@background_task(name="worker.tasks.send_digests")
@recorded
def send_digests() -> int:
    """Gather the waiting notices of people who chose a daily or weekly email into one email each (every 10
    minutes; each digest is due from 7am, and made once per day or week whichever worker runs it)."""
    return digests_send_due()


@background_task(name="worker.tasks.prune_task_runs")
@recorded
def prune_task_runs() -> int:
    return task_runs_prune()


@background_task(name="worker.tasks.dispatch_queued_tasks", frequent=True)
@recorded
def dispatch_queued_tasks() -> int:
    """Hand the broker any task asked for while it was unreachable (every 10 seconds)."""
    return queued_tasks_dispatch()
