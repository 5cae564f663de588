"""The nightly quality checks (beat, worker/schedule.py)."""


from market.core.background import background_task
from market.core.runs import recorded

from .services import quality_checks_run


@background_task(name="quality.tasks.run_quality_checks")
@recorded
def run_quality_checks() -> int:
    return quality_checks_run()
