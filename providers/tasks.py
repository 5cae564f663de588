"""Background work for providers, run by beat (worker/schedule.py). Thin: each calls a service."""


from market.core.background import background_task
from market.core.runs import recorded

from .services import check_expiry_reminders_send


@background_task(name="providers.tasks.check_expiry_reminders")
@recorded
def check_expiry_reminders() -> int:
    """Warn providers of mandatory checks about to expire (30, 14, 7 days) and tell of expiries (daily)."""
    return check_expiry_reminders_send()
