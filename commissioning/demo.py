"""Demo reference rates, set by the demo commissioner through the same service, so the market view's price chart and
the storefronts' guide rates have something to show. Only when none are set, so loading the demo twice changes
nothing."""

from __future__ import annotations

from market.accounts.models import User
from market.taxonomy.models import Category

from .models import ReferenceRate
from .services import reference_rate_set

DEMO_RATES = {"personal-care": 2200, "companionship": 1800, "getting-out-and-about": 1700, "domestic-help": 1600}
DEMO_COMMISSIONER = "cath.commissioner@demo.example"


def load_reference_rates() -> None:
    commissioner = User.objects.filter(email=DEMO_COMMISSIONER).first()
    if commissioner is None or ReferenceRate.objects.exists():
        return
    for category in Category.objects.filter(slug__in=DEMO_RATES):
        reference_rate_set(category=category, hourly_pence=DEMO_RATES[category.slug], by=commissioner)


def load_market_summary() -> None:
    """Build the market view's figures once, as the worker would (recorded as its run), so the demo's market view
    shows them at once rather than "not built yet". Only when never built: loading the demo twice changes nothing
    (the worker keeps them up to date)."""
    from .selectors.summary import summary_state
    from .tasks import refresh_market_summary

    if not summary_state().built:
        refresh_market_summary()
