"""What support is (service categories) and what it is for (needs). Edited by commissioners in the admin."""

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_regulated_personal_care = models.BooleanField(
        default=False,
        help_text="Regulated by the CQC: only providers with a verified CQC registration (or exemption) may list it.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Need(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    categories = models.ManyToManyField(
        Category, related_name="needs", blank=True, help_text="Kinds of support that usually meet this need."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
