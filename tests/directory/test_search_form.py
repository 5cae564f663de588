"""The search form's own template renders exactly what the site's generic accessible form templates would
(labels, hints, error summary linking to each field, aria-describedby, aria-invalid), only faster."""

from __future__ import annotations

import pytest
from django.test.html import parse_html

from directory.forms import SearchForm


@pytest.mark.parametrize("data", [
    None,
    {"postcode": "WN1 1AA", "q": "tea & <cake>", "day": "2", "time": "morning", "max_price": "17.50",
     "language": "Urdu", "regulated": "only", "council_budget": "on", "sort": "price"},
    {"postcode": "NOT A POSTCODE", "max_price": "lots", "day": "9", "language": "Klingon", "sort": "newest"},
    {"sort": "distance", "q": "x" * 300},
])
def test_the_search_form_renders_the_same_html_as_the_generic_templates(borough, gardening, data):
    form = SearchForm(data)
    form.is_valid() if data is not None else None
    assert not any(field.use_fieldset for field in form)  # the fast template has no fieldset branch
    assert not form.hidden_fields()

    fast = form.render()
    template = form.render(template_name="directory/_search_form.html")
    generic = form.render(template_name="forms/form.html")

    assert str(form) == form.__html__() == fast  # {{ form }} in a template uses __html__
    assert parse_html(fast) == parse_html(template)  # the Python rendering is the template's markup
    assert parse_html(fast) == parse_html(generic)
    if data and len(data) <= 5:
        assert 'aria-invalid="true"' in fast
        assert "There is a problem" in fast


@pytest.mark.parametrize("data", [
    None,
    {},
    {"postcode": "wn1 1aa", "q": 'tea & "cake" <b>', "category": "gardening", "day": "0", "max_price": "5"},
    {"q": "walks", "time": "evening", "regulated": "exclude", "council_budget": "on", "sort": "newest"},
    {"language": "Urdu", "need": "anything-unknown"},  # an error: the general path
])
def test_the_kept_field_blocks_give_the_same_html_as_building_every_block(borough, gardening, data):
    from directory.forms import _form_html, form_html

    for _ in range(2):  # the second time from the kept blocks
        form = SearchForm(data)
        form.is_valid() if data is not None else None
        assert form_html(form) == _form_html(form)
