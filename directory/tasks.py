"""Directory tasks: thin, calling a service."""

from celery import shared_task

from .services import listing_changes_prune, listings_refresh


@shared_task(name="directory.tasks.refresh_listings", ignore_result=True)
def refresh_listings(provider_ids: list[int] | None = None) -> None:
    """Rebuild the search table (all providers by default). Triggers keep it current; this is the safety net.
    A full rebuild also prunes the table's old change-log entries."""
    listings_refresh(provider_ids=provider_ids)
    if provider_ids is None:
        listing_changes_prune()
