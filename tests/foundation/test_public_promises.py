"""Issue 18, item 6: every sentence of the public pages is true of the product. Card payments and payouts work only
where the council has set up Stripe, so no public page may promise them unconditionally."""

import re
from pathlib import Path

import pytest

from cms.demo import EARLIER_BODIES, load_pages
from cms.models import ContentPage, HomePage

ROOT = Path(__file__).resolve().parents[2]
UNTRUE = re.compile(r"book and pay|get paid on time|provider is paid|pay (by|with) card here", re.IGNORECASE)
# The public pages as the demo shows them: tests/foundation/test_public_promises_on_the_demo.py.


def test_no_template_or_page_content_in_the_source_promises_payment():
    sources = [*ROOT.glob("*/templates/**/*.html"), *ROOT.glob("*/*/templates/**/*.html"),
               *ROOT.glob("*/jinja2/**/*.html"), ROOT / "cms" / "demo.py", ROOT / "market" / "demo.py"]
    offenders = []
    for source in sources:
        text = source.read_text()
        if source.name == "demo.py":  # the earlier texts are kept only to recognise and replace them
            text = text.split("EARLIER_BODIES")[0] + text.split("HOME_BODY = [")[-1]
        if UNTRUE.search(text):
            offenders.append(str(source.relative_to(ROOT)))
    assert offenders == []


def test_home_introduction_is_true_on_a_fresh_database(db):
    assert HomePage.objects.get().introduction == (
        "Find and book care and support from small local providers, using your personal budget or your own money."
    )


@pytest.mark.parametrize("release", range(len(EARLIER_BODIES["how-it-works"])))
def test_a_demo_page_still_showing_an_earlier_text_is_brought_up_to_date_and_an_edited_one_is_not(db, release):
    load_pages()
    how = ContentPage.objects.get(slug="how-it-works")
    how.body = EARLIER_BODIES["how-it-works"][release]
    how.save_revision().publish()
    providers = ContentPage.objects.get(slug="for-providers")
    providers.body = "<p>Edited by the council.</p>"
    providers.save_revision().publish()

    load_pages()

    how.refresh_from_db()
    providers.refresh_from_db()
    assert "where the council has set up card payments" in how.body
    assert "with the checks that fit the support it offers" in how.body
    assert providers.body == "<p>Edited by the council.</p>"
