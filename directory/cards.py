"""A search result card as HTML, built in Python.

The markup is `directory/_result_card.html`'s (kept as the readable reference); rendering that template twenty
times per page, a variable lookup at a time, was a third of a search page's rendering time. Every value is
escaped exactly as the template's autoescaping does, and
tests/directory/test_search.py checks that both give the same HTML, character for character.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe


def e(value) -> str:
    """What the template's autoescaping does to these values (plain strings and numbers from the database, never
    already-safe markup): django.utils.html.escape, which is html.escape, without wrapping each in a SafeString."""
    return escape(str(value))


def result_card_html(row) -> SafeString:
    # Every interpolated value goes through e() (escape) in the four parts.
    return mark_safe(  # noqa: S308
        card_head(row) + card_middle(row.distance, row.next_available) + card_kind(row) + card_end(row.badges)
    )


def card_head(row) -> str:
    """The card up to its price: what depends on the service and its provider only."""
    service = row.service
    provider = service.provider
    return (
        '<li class="card result">\n'
        f'  <h3 class="card__title"><a href="/providers/{e(provider.slug)}/#service-{e(service.pk)}">'
        f"{e(service.title)}</a></h3>\n"
        f'  <p class="result__provider">{e(provider.name)}</p>\n'
        '  <dl class="summary-list summary-list--compact">\n'
        f"    <div><dt>Price</dt><dd>{e(row.price)}</dd></div>\n"
    )


def card_middle(distance: str, next_available: str) -> str:
    """What depends on the search (the distance) and the time (next available)."""
    shown = f"<div><dt>Distance</dt><dd>{e(distance)}</dd></div>" if distance else ""
    return f"    {shown}\n    <div><dt>Next available</dt><dd>{e(next_available)}</dd></div>\n"


def card_kind(row) -> str:
    """The kind of support and the summary: what depends on the service and its category only."""
    regulated = " (personal care, regulated by the CQC)" if row.regulated else ""
    return (
        f"    <div><dt>Kind of support</dt><dd>{e(row.service.category.name)}{regulated}</dd></div>\n"
        "  </dl>\n"
        f"  <p>{e(row.summary)}</p>\n"
    )


def card_end(badges) -> str:
    """The "verified" badges (which depend on the day) and the end of the card."""
    shown = ""
    if badges:
        items = "".join(
            f'<li class="badge">{e(badge.label)}: verified {e(badge.verified_text)}</li>' for badge in badges
        )
        shown = (
            '\n  <ul class="badges" aria-label="Checks verified by the council">\n'
            f"    {items}\n"
            "  </ul>\n  "
        )
    return f"  {shown}\n</li>\n"


def results_html(*, criteria, page, rows, total: int, page_message: str, query_string: str) -> SafeString:
    """directory/_results.html (the results section of a search page), built in Python: the heading with the
    count, a notice, the cards, and the pages. tests/directory/test_search.py checks both give the same HTML."""
    if total:
        near = f" near {e(criteria.place.label)}" if criteria.place else ""
        heading = f"{total} result{'' if total == 1 else 's'}{near}"
    else:
        heading = "No support found"
    notice = f'<div class="notice" role="status"><p>{e(page_message)}</p></div>' if page_message else ""
    parts = [
        '<section class="search-results" aria-labelledby="results-heading">\n'
        f'    <h2 id="results-heading" aria-live="polite">\n      {heading}\n    </h2>\n    {notice}\n'
    ]
    if not total:
        parts.append(
            "      <p>We could not find support that matches everything you asked for. Try:</p>\n"
            "      <ul>\n"
            "        <li>fewer filters, or a different day or time</li>\n"
            "        <li>the first half of your postcode only, like WN5</li>\n"
            '        <li>other words, like "visit" instead of "befriending"</li>\n'
            "      </ul>\n"
            "      <p>We record searches that find nothing (without anything that identifies you), so the council "
            "can see what support is missing.</p>\n"
        )
    else:
        paged = page.num_pages > 1
        if paged:
            parts.append(f'      <p class="muted">Page {page.number} of {page.num_pages}</p>\n')
        parts.append(f'      <ol class="card-list result-list" start="{page.start_index}">\n')
        parts.extend(row.html for row in rows)
        parts.append("      </ol>\n")
        if paged:
            query = e(query_string)
            previous = (f'<li><a rel="prev" href="?{query}&amp;page={page.previous_page_number}">Previous page'
                        '<span class="visually-hidden"> of results</span></a></li>' if page.has_previous else "")
            following = (f'<li><a rel="next" href="?{query}&amp;page={page.next_page_number}">Next page'
                         '<span class="visually-hidden"> of results</span></a></li>' if page.has_next else "")
            parts.append(
                '      <nav class="pagination" aria-label="Results pages">\n        <ul>\n'
                f"          {previous}\n"
                f'          <li aria-current="page">Page {page.number} of {page.num_pages}</li>\n'
                f"          {following}\n"
                "        </ul>\n      </nav>\n"
            )
    parts.append("  </section>\n")
    # Every interpolated value went through e() (here and in the cards).
    return mark_safe("".join(parts))  # noqa: S308
