"""Demand in people's own words: typed words are kept only when they are in the vocabulary commissioners curate (the
names of kinds of support and needs); the rest are only counted (docs/adr/0007)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.selectors.market import MarketFilter, TypedWord, typed_words
from directory.models import SearchRecord
from directory.search import SearchCriteria
from directory.services import search_record_create
from tests.factories import CategoryFactory, NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary():
    CategoryFactory(name="Gardening")
    NeedFactory(name="Lunch club")
    NeedFactory(name="Sailing")


def _search(text: str, results: int) -> SearchRecord:
    return search_record_create(criteria=SearchCriteria(text=text), result_count=results)


def test_only_vocabulary_words_are_kept(vocabulary):
    record = _search("Sailing for my dad Bob, he has dementia", 0)

    assert record.filters == {"has_text": True, "words": ["sailing"], "other_words": 7}
    assert "Bob" not in str(record.filters) and "dementia" not in str(record.filters)


def test_plurals_and_case_are_one_word(vocabulary):
    record = _search("LUNCH clubs", 2)

    assert record.filters["words"] == ["club", "lunch"]
    assert "other_words" not in record.filters


def test_the_market_counts_typed_words_most_unmet_first(vocabulary, commissioner, verified_client):
    _search("sailing", 0)
    _search("sailing lessons", 0)
    _search("lunch club", 3)
    _search("my neighbour Alan", 0)
    today = timezone.localdate()

    words, others = typed_words(MarketFilter(start=today.replace(day=1), end=today))

    assert words == [TypedWord("sailing", 2, 2), TypedWord("club", 1, 0), TypedWord("lunch", 1, 0)]
    assert others == {"searches": 2, "unmet": 2}
    page = verified_client(commissioner).get(reverse("commissioning:market-list", args=["unmet-searches"]),
                                             {"word": "sailing"}).content.decode()
    assert "<strong>2</strong>" in page and "with the word “sailing”" in page


def test_the_market_page_shows_them(vocabulary, commissioner, verified_client):
    _search("sailing", 0)

    response = verified_client(commissioner).get(reverse("commissioning:market"))

    assert response.status_code == HTTPStatus.OK
    assert '<th scope="row">sailing</th>' in response.content.decode()
