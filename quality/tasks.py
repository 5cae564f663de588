"""The nightly quality checks (beat, worker/schedule.py)."""

from celery import shared_task

from market.core.runs import recorded

from .services import quality_checks_run


@shared_task(name="quality.tasks.run_quality_checks", ignore_result=True)
@recorded
def run_quality_checks() -> int:
    return quality_checks_run()
