"""Neighbourhoods (the unit commissioners think in) and the postcode table that places people in them."""

from django.db import models


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

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode
