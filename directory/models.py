"""Anonymous records of directory searches: the commissioners' evidence of demand and of unmet need.

Nothing here identifies who searched: no user, no session, no IP address, no full postcode and no free text
(people type names and diagnoses into search boxes). Only the postcode district and its neighbourhood, the filters
chosen and how many results there were.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
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
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The neighbourhood searched: the postcode's, or a district's when it lies in only one.",
    )
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


class DateMultiRangeField(models.Field):
    """PostgreSQL's datemultirange, which Django has no field for: read as psycopg's Multirange."""

    def db_type(self, connection):
        return "datemultirange"


def _location():
    """The provider's base on the National Grid (market/places/sql/grid.sql), in metres."""
    return models.Func(models.F("easting"), models.F("northing"), function="point")


class Listing(models.Model):
    """The search table: one row per live service of an approved provider that the listing rule lists on some day,
    with what a search filters, counts and orders on. Written only by the database (directory/sql/listing.sql:
    triggers on every table a row comes from, in the same transaction as the change); a search reads it through
    the PostgreSQL engine (directory/search/postgres.py). It is an index, not the rule: each page of results is
    re-checked live before it is shown."""

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
    easting = models.FloatField(null=True, help_text="The provider's base postcode on the National Grid (metres).")
    northing = models.FloatField(null=True)
    travel_radius_km = models.SmallIntegerField(null=True)
    neighbourhood_ids = ArrayField(
        models.BigIntegerField(), default=list,
        help_text="Neighbourhoods covered: the service's, or (no travel radius either) the provider's.",
    )
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
    listed_during = DateMultiRangeField(help_text="The days the listing rule lists it (providers/sql/listing.sql).")

    class Meta:
        indexes = [
            models.Index(fields=["provider"], name="listing_provider"),
            models.Index(fields=["category", "price_pence"], name="listing_category_price"),
            models.Index(fields=["price_pence"], name="listing_price"),
            models.Index(fields=["-created_at"], name="listing_newest"),
            # Nearest first: a distance-ordered page reads about a page of rows.
            GistIndex(_location(), name="listing_location"),
            # Who travels to a place: the circle of each service's travel radius around its provider's base.
            GistIndex(
                models.Func(_location(), models.F("travel_radius_km") * 1000.0, function="circle"),
                name="listing_reach", condition=models.Q(travel_radius_km__isnull=False),
            ),
            GinIndex(fields=["need_ids"], name="listing_needs"),
            GinIndex(fields=["neighbourhood_ids"], name="listing_areas"),
            GinIndex(fields=["slot_hours"], name="listing_slots"),
            GinIndex(fields=["languages"], name="listing_languages"),
            GinIndex(fields=["document"], name="listing_document"),
        ]

    def __str__(self):
        return f"Listing of service {self.service_id}"
