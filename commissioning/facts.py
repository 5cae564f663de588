"""The market view's rules and its summary (commissioning/sql/market_summary.sql), as read-only models.

Read-only models over the SQL views that spell each rule once (a row per search, order or confirmed visit) and over
the summaries that add them up per day. The same aggregate code reads either (commissioning.selectors.market): the
live lists from the views, the page's figures from the summaries.
"""

from __future__ import annotations

from django.db import models


class _ReadOnly(models.Model):
    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.db_table} {self.pk}"


def _fk(model: str, **options):
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **options)


class MicroProvider(_ReadOnly):
    """A provider with fewer than 5 people on its team."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="+", primary_key=True)

    class Meta:
        managed = False
        db_table = "commissioning_micro_provider"


class SearchFact(_ReadOnly):
    """One search (the id is the search record's) as the market view counts it."""

    searched_at = models.DateTimeField()
    day = models.DateField()
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category", null=True)
    searches = models.IntegerField()
    unmet_searches = models.IntegerField()
    unmet_priced_searches = models.IntegerField()
    searches_no_area = models.IntegerField()
    searches_no_kind = models.IntegerField()
    other_words_searches = models.IntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_search_fact"


class OrderFact(_ReadOnly):
    """One order (the id is the order's) as the market view counts it."""

    created_at = models.DateTimeField()
    day = models.DateField()
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category")
    route = models.CharField(max_length=32)
    orders = models.IntegerField()
    declined_orders = models.IntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_order_fact"


class SpendFact(_ReadOnly):
    """One confirmed visit (the id is the visit's): its cost is spend."""

    starts_at = models.DateTimeField()
    day = models.DateField()
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category")
    route = models.CharField(max_length=32)
    provider = _fk("providers.Provider")
    holder = _fk("accounts.Person")
    micro = models.BooleanField()
    visits = models.IntegerField()
    spend_pence = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_spend_fact"


# The summaries have no id: `day` stands as the primary key Django asks for. They are only ever aggregated, never
# read or written row by row.


class SearchDaily(_ReadOnly):
    day = models.DateField(primary_key=True)
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category", null=True)
    searches = models.IntegerField()
    unmet_searches = models.IntegerField()
    unmet_priced_searches = models.IntegerField()
    searches_no_area = models.IntegerField()
    searches_no_kind = models.IntegerField()
    other_words_searches = models.IntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_search_daily"


class OrderDaily(_ReadOnly):
    day = models.DateField(primary_key=True)
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category")
    route = models.CharField(max_length=32)
    orders = models.IntegerField()
    declined_orders = models.IntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_order_daily"


class SpendDaily(_ReadOnly):
    day = models.DateField(primary_key=True)
    neighbourhood = _fk("places.Neighbourhood", null=True)
    category = _fk("taxonomy.Category")
    route = models.CharField(max_length=32)
    provider = _fk("providers.Provider")
    holder = _fk("accounts.Person")
    micro = models.BooleanField()
    visits = models.IntegerField()
    spend_pence = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "commissioning_spend_daily"
