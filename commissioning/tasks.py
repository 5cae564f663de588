"""The market view's summary in the worker: refreshed by beat every 15 minutes, and on demand from the page."""

from __future__ import annotations

from market.core.background import background_task
from market.core.runs import recorded

from .services import market_summary_refresh


# Recorded as a run: the page's "figures as of" is the start of the last finished one. Time limits well inside the
# broker's visibility timeout (an hour), so a long refresh is never handed to a second worker.
@background_task(name="commissioning.tasks.refresh_market_summary", time_limit=30 * 60, soft_time_limit=25 * 60)
@recorded
def refresh_market_summary() -> int:
    """Rebuild the daily summaries the market view reads. Safe to run twice at once (the second waits)."""
    return market_summary_refresh()
