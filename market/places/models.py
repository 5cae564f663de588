"""Neighbourhoods (the unit commissioners think in) and the postcode table that places people in them."""

from django.db import models


def _grid(index: int) -> models.Func:
    """One coordinate of the postcode on the National Grid, computed by the database (market/places/sql/grid.sql)."""
    return models.Func(
        models.F("latitude"), models.F("longitude"), function="places_grid",
        template=f"(%(function)s(%(expressions)s))[{index}]", output_field=models.FloatField(),
    )


class Neighbourhood(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    ward_codes = models.CharField(
        max_length=200, blank=True,
        help_text="ONS ward codes (comma-separated) whose postcodes belong to this neighbourhood.",
    )
    latitude = models.FloatField(help_text="Centre, for maps and distances.")
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Postcode(models.Model):
    """One row of an ONS Postcode Directory style table. Lookup only: no geocoding over the network."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised, e.g. 'WN1 2AB'.")
    district = models.CharField(max_length=4, db_index=True, help_text="Outward code, e.g. 'WN1'.")
    latitude = models.FloatField()
    longitude = models.FloatField()
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="postcodes"
    )
    #: Metres east and north on the Ordnance Survey National Grid: distances between postcodes are plain geometry.
    easting = models.GeneratedField(expression=_grid(1), output_field=models.FloatField(), db_persist=True)
    northing = models.GeneratedField(expression=_grid(2), output_field=models.FloatField(), db_persist=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode
