"""search_demand: what commissioners see of demand and unmet need, from the anonymous search records."""

from __future__ import annotations

import datetime

from django.utils import timezone

from directory.models import SearchRecord
from directory.selectors import DemandRow, search_demand
from tests.factories import CategoryFactory


def test_demand_by_district_and_category_most_unmet_first(db):
    gardening = CategoryFactory(name="Gardening")
    now = timezone.now()
    for district, category, results in [("WN1", gardening, 0), ("WN1", gardening, 0), ("WN1", gardening, 4),
                                        ("WN5", None, 2), ("WN5", None, 0), ("", None, 7)]:
        SearchRecord.objects.create(district=district, category=category, result_count=results)
    old = SearchRecord.objects.create(district="WN7", result_count=0)
    SearchRecord.objects.filter(pk=old.pk).update(searched_at=now - datetime.timedelta(days=40))

    rows = search_demand(since=now - datetime.timedelta(days=30))

    assert rows == [
        DemandRow("WN1", "Gardening", 3, 2),
        DemandRow("WN5", "Any kind of support", 2, 1),
        DemandRow("", "Any kind of support", 1, 0),
    ]
