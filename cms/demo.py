"""The whole demo, and its content pages.

`load_demo()` (what `manage.py load_demo` runs) loads every area's demo in the order the house is built, ground
floor first: places, taxonomy and people (market.demo), providers, then storefronts and content pages, the demo
searches, and budgets and orders. Each part is idempotent, so running it twice changes nothing. The content
pages are created once; editors own them afterwards.
"""

from django.db import transaction

from commissioning.models import GAPS_PAGE_PATH, GapsPage
from orders.services import AUTO_CONFIRM_HOURS

from .models import ContentPage, HomePage


@transaction.atomic
def load_demo() -> None:
    from commissioning.demo import load_market_summary, load_reference_rates
    from community.demo import load as load_community
    from curation.demo import load as load_curation
    from directory.demo import load_searches
    from market import demo as foundation
    from orders.demo import load as load_budgets_and_orders
    from providers.demo import load_providers
    from quality.services import quality_checks_run

    foundation.load()
    load_providers()
    load_community()
    load_curation()
    load_pages()
    load_storefronts()
    load_searches()
    load_budgets_and_orders()
    load_reference_rates()
    quality_checks_run()  # as the nightly run would, so commissioners see the flags the demo data raises
    load_market_summary()  # last: the market view's figures add up everything above

PAGES = [
    ("How it works", "how-it-works", "Booking support with your personal budget, step by step.",
     "<h2>1. Find support</h2><p>Search by your postcode and what you need. "
     "Every provider is checked by the council, with the checks that fit the support it offers.</p>"
     "<h2>2. Book</h2><p>Choose a time. You see the cost, and what is left in your budget, before you book.</p>"
     "<h2>3. Confirm each visit</h2><p>After each visit you, or someone helping you, say it happened, or tell us "
     f"if it did not. A visit nobody answers for within {AUTO_CONFIRM_HOURS} hours is confirmed automatically.</p>"
     "<h2>4. The provider's invoice</h2><p>At the start of each month the provider is invoiced for the visits "
     "confirmed the month before. The council pays for council-managed budgets and individual service funds; "
     "with a direct payment or your own money you pay the provider's invoice yourself: by card on this website "
     "where the council has set up card payments, otherwise as the invoice says.</p>"),
    ("For providers", "for-providers", "Offer your care and support to people in Wigan.",
     "<p>Sole traders, co-operatives and community groups can list their support here and take bookings.</p>"
     "<p>At the start of each month this website makes your invoices from the visits people confirmed: the "
     "council's for council-managed budgets, and the person's own for direct payments and self-funders. "
     "Where the council has set up payments, the money for your invoices is paid to your bank account through "
     "this website (by Stripe) once you have set up payouts from your dashboard; otherwise the council and "
     "people pay you as your invoice says.</p>"
     "<p>The council checks your DBS, insurance and, for personal care, "
     "your CQC registration.</p>"),
    ("Accessibility", "accessibility", "How accessible this website is, and how to tell us about a problem.",
     "<p>We want everyone to be able to use this website. It aims to meet WCAG 2.2 level AA.</p>"
     "<p>If something does not work for you, contact the council and we will help.</p>"),
    ("Privacy", "privacy", "What we do with your information.",
     "<p>Information about your care is sensitive. Only you, people you allow, and council staff who work with you "
     "can see it, and every time council staff open your record it is logged.</p>"),
    ("Contact the council", "contact", "How to get help with this website or with your support.",
     "<p>Phone the adult social care team on 01942 000000, Monday to Friday, 9am to 5pm.</p>"),
]

# What the demo's pages said in earlier releases: a page that still says one of these is brought up to date; a page
# an editor has changed is left alone.
EARLIER_BODIES = {
    "how-it-works": (
        "<h2>1. Find support</h2><p>Search by your postcode and what you need. "
        "Every provider is checked by the council.</p>"
        "<h2>2. Book</h2><p>Choose a time. You see the cost, and what is left in your budget, before you book.</p>"
        "<h2>3. Confirm each visit</h2><p>After each visit you, or someone helping you, say it happened. "
        "Then the provider is paid.</p>",
        "<h2>1. Find support</h2><p>Search by your postcode and what you need. "
        "Every provider is checked by the council.</p>"
        "<h2>2. Book</h2><p>Choose a time. You see the cost, and what is left in your budget, before you book.</p>"
        "<h2>3. Confirm each visit</h2><p>After each visit you, or someone helping you, say it happened, or tell us "
        "if it did not. A visit nobody answers for within 72 hours is confirmed automatically.</p>"
        "<h2>4. The provider's invoice</h2><p>At the start of each month the provider is invoiced for the visits "
        "confirmed the month before. The council pays for council-managed budgets and individual service funds; "
        "with a direct payment or your own money you pay the provider's invoice yourself: by card on this website "
        "where the council has set up card payments, otherwise as the invoice says.</p>",
        "<h2>1. Find support</h2><p>Search by your postcode and what you need. "
        "Every provider is checked by the council.</p>"
        "<h2>2. Book</h2><p>Choose a time. You see the cost, and what is left in your budget, before you book.</p>"
        "<h2>3. Confirm each visit</h2><p>After each visit you, or someone helping you, say it happened, or tell us "
        "if it did not. A visit nobody answers for within 72 hours is confirmed automatically.</p>"
        "<h2>4. The provider's invoice</h2><p>At the start of each month the provider is invoiced for the visits "
        "confirmed the month before. The council pays for council-managed budgets and individual service funds; "
        "with a direct payment or your own money you pay the provider's invoice yourself. You cannot pay by card "
        "on this website yet.</p>",
    ),
    "for-providers": (
        "<p>Sole traders, co-operatives and community groups can list their support here, take bookings and "
        "get paid on time.</p><p>The council checks your DBS, insurance and, for personal care, "
        "your CQC registration.</p>",
        "<p>Sole traders, co-operatives and community groups can list their support here and take bookings.</p>"
        "<p>At the start of each month this website makes your invoices from the visits people confirmed: the "
        "council's for council-managed budgets, and the person's own for direct payments and self-funders. "
        "Payments are made to you outside this website; card payments are not available yet.</p>"
        "<p>The council checks your DBS, insurance and, for personal care, "
        "your CQC registration.</p>",
    ),
}

HOME_BODY = [
    ("heading", "Support that fits your life"),
    ("paragraph", "<p>Local people and small groups offering companionship, help at home, trips out, "
                  "meals, gardening and more. Every provider is checked by the council.</p>"),
    ("call_to_action", {"text": "How it works", "link": "/how-it-works/"}),
]


def load_pages() -> None:
    home = HomePage.objects.get()
    if not home.body:
        home.body = HOME_BODY
        home.save_revision().publish()
    for title, slug, summary, body in PAGES:
        page = ContentPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            home.add_child(instance=ContentPage(title=title, slug=slug, summary=summary, body=body))
        elif page.body in EARLIER_BODIES.get(slug, ()):
            page.body = body
            page.save_revision().publish()
    if not GapsPage.objects.exists():
        home.add_child(instance=GapsPage(
            title="Where support is needed", slug=GAPS_PAGE_PATH.strip("/"),
            introduction="<p>Thinking of starting a small care or support enterprise? These are the kinds of support "
                         "people in the borough looked for and could not find. The council's community investment "
                         "fund can help you start.</p>"))


# Storefront extras for the demo providers (the demo approves them directly, so their pages are made here).
STOREFRONT_CONTACT = {
    "jos-companions": "Phone Jo any weekday after 4pm, or email. Jo is happy to visit first for a cup of tea "
                      "and a chat, free of charge, before you decide.",
    "scholes-care-cooperative": "Phone the co-op office, Monday to Friday 9am to 5pm. Out of hours, leave a "
                                "message and a member will ring you back the next morning.",
    "hindley-home-cooking": "Email Bev with what you like to eat; she will phone you back.",
}


def load_storefronts() -> None:
    """Every approved provider has its storefront (idempotent), with the demo's contact notes filled in once."""
    from cms.models import ProviderPage
    from cms.storefronts import storefront_ensure
    from providers.models import Provider, ProviderStatus

    for provider in Provider.objects.filter(status=ProviderStatus.APPROVED).order_by("pk"):
        page = storefront_ensure(provider=provider)
        note = STOREFRONT_CONTACT.get(provider.slug)
        if note and not page.how_to_get_in_touch:
            page = ProviderPage.objects.get(pk=page.pk)
            page.how_to_get_in_touch = note
            page.save_revision().publish()
