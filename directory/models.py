"""Anonymous records of directory searches: the commissioners' evidence of demand and of unmet need.

Nothing here identifies who searched: no user, no session, no IP address, no full postcode and no free text
(people type names and diagnoses into search boxes). Only the postcode district, the filters chosen and how
many results there were.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class SearchRecord(models.Model):
    searched_at = models.DateTimeField(default=timezone.now)
    district = models.CharField(max_length=4, blank=True, help_text="Postcode district searched, e.g. 'WN1'.")
    category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    need = models.ForeignKey("taxonomy.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filters = models.JSONField(
        default=dict, blank=True,
        help_text="The other filters: weekday, time of day, maximum price, language, regulated care, sort, "
                  "and whether words were typed (not the words themselves).",
    )
    result_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-searched_at", "-id"]
        indexes = [
            models.Index(fields=["searched_at"], name="search_record_at"),
            models.Index(
                fields=["district", "searched_at"], condition=models.Q(result_count=0), name="search_record_unmet"
            ),
        ]

    def __str__(self):
        where = self.district or "anywhere"
        return f"{self.searched_at:%Y-%m-%d %H:%M} {where}: {self.result_count} results"


class Listing(models.Model):
    """The search table: one row per live service of an approved provider whose checks make it listable,
    denormalised for one indexed query. Kept up to date by PostgreSQL triggers on the tables it is derived
    from (migration 0004), in the same transaction as the change, whoever makes it; `listings_refresh()`
    rebuilds it. Dates are applied at read time: a row is visible on day d when
    listed_from <= d <= listed_until (NULL: no end). It is only an index: every page of results is re-checked
    against providers.selectors.listed_services() before it is shown.
    """

    service = models.OneToOneField(
        "providers.Service", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    need_ids = ArrayField(models.BigIntegerField(), default=list, help_text="The service's needs and its category's.")
    price_pence = models.BigIntegerField()
    latitude = models.FloatField(null=True, help_text="The provider's base postcode.")
    longitude = models.FloatField(null=True)
    neighbourhood_ids = ArrayField(
        models.BigIntegerField(), default=list,
        help_text="Neighbourhoods covered: the service's, or (no travel radius either) the provider's.",
    )
    travel_radius_km = models.SmallIntegerField(null=True)
    languages = ArrayField(models.CharField(max_length=40), default=list, help_text="Lower case.")
    regulated = models.BooleanField()
    council_budget_ok = models.BooleanField()
    slot_hours = ArrayField(
        models.SmallIntegerField(), default=list,
        help_text="weekday * 24 + hour for every hour a weekly slot overlaps.",
    )
    created_at = models.DateTimeField()
    document = SearchVectorField(help_text="Title (weight A) and description (weight B).")
    title_document = SearchVectorField(help_text="Title only: what relevance is ranked on.")
    listed_from = models.DateField(null=True)
    listed_until = models.DateField(null=True, help_text="Empty: no check it relies on expires.")

    class Meta:
        indexes = [
            models.Index(fields=["provider"], name="listing_provider"),
            models.Index(fields=["category", "price_pence"], name="listing_category_price"),
            # Covers what a search by category (with a place, price, regulated care or council budget) reads,
            # so PostgreSQL answers it with an index-only scan instead of fetching every candidate row's heap
            # page: a postcode + category search, ~4,300 candidates, 1.7 ms instead of 5.6 ms of execution.
            models.Index(
                fields=["category"], name="listing_category_cover",
                include=["listed_from", "listed_until", "latitude", "longitude", "travel_radius_km",
                         "neighbourhood_ids", "price_pence", "created_at", "regulated", "council_budget_ok",
                         "service"],
            ),
            models.Index(fields=["price_pence"], name="listing_price"),
            models.Index(fields=["-created_at"], name="listing_newest"),
            GinIndex(fields=["need_ids"], name="listing_needs"),
            GinIndex(fields=["neighbourhood_ids"], name="listing_areas"),
            GinIndex(fields=["slot_hours"], name="listing_slots"),
            GinIndex(fields=["document"], name="listing_document"),
        ]

    def __str__(self):
        return f"Listing of service {self.service_id}"
