"""Directory tasks: thin, calling a service."""

from celery import shared_task

from market.core.runs import recorded

from .services import listings_refresh


@shared_task(name="directory.tasks.refresh_listings", ignore_result=True)
@recorded
def refresh_listings() -> None:
    """Rebuild the search table (nightly). Triggers keep it current; this is the safety net."""
    listings_refresh()
