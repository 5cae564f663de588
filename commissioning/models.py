"""What commissioners set to shape the market: the reference (fair) hourly rate for each kind of support, and the
public page of gaps (where support is wanted), which presents live figures from the market view."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ReferenceRate(models.Model):
    """The hourly rate the council considers fair for a kind of support, shown beside the local price spread.
    One per category; changing it is audited (commissioning.services.reference_rate_set)."""

    category = models.OneToOneField("taxonomy.Category", on_delete=models.CASCADE, related_name="reference_rate")
    hourly_pence = models.PositiveBigIntegerField(help_text="In pence per hour.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["category__sort_order", "category__name"]
        constraints = [models.CheckConstraint(condition=Q(hourly_pence__gt=0), name="reference_rate_positive")]

    def __str__(self):
        return f"{self.category}: {self.hourly_pence}p an hour"


#: Where the gaps page lives (the demo creates it there; provider sign-up links to it).
GAPS_PAGE_PATH = "/where-support-is-needed/"


class GapsPage(Page):
    """A public page saying what support is wanted where, for people thinking of starting a micro-enterprise: the
    commissioner's words, then the gaps of the market view over a recent period, live (counts only, nobody named)."""

    introduction = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], blank=True)
    period_days = models.PositiveSmallIntegerField(default=90, help_text="How many days of searches and orders count.")
    minimum_unmet = models.PositiveSmallIntegerField(
        default=1, help_text="Show a gap only when at least this many searches found nothing or orders were declined.")

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("period_days"),
                      FieldPanel("minimum_unmet")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    template = "commissioning/gaps_page.html"

    def get_context(self, request, *args, **kwargs):
        from .selectors.market import published_gaps

        context = super().get_context(request, *args, **kwargs)
        context["gaps"] = published_gaps(days=self.period_days, minimum_unmet=self.minimum_unmet)
        return context


# The read-only models of the market view's rules and summary live in facts.py (the selectors read them; this module's
# GapsPage reads the selectors): imported here so Django knows them.
from .facts import (  # noqa: E402, F401
    MicroProvider,
    OrderDaily,
    OrderFact,
    SearchDaily,
    SearchFact,
    SpendDaily,
    SpendFact,
)
