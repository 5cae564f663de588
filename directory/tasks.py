"""Directory tasks: thin, calling a service."""


from market.core.background import background_task
from market.core.runs import recorded

from .services import listings_refresh


@background_task(name="directory.tasks.refresh_listings")
@recorded
def refresh_listings() -> None:
    """Rebuild the search table (nightly). Triggers keep it current; this is the safety net."""
    listings_refresh()
