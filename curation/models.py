"""Council editors feature and curate community groups' listings (issue 15): in the Wagtail admin, as snippets
(curation/wagtail_hooks.py), for commissioners (the Commissioners group, curation/migrations/0002).

- A listing is *featured* (shown first on the community and home pages, marked "Featured by the council") or
  *hidden* from those pages, with a reason kept for the record.
- "Picked by the council" is a short collection in the order editors drag it to.

The directory search keeps its own one order (directory.search): curation changes what the community pages show.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from wagtail.models import Orderable

#: Only community groups' listings are curated here.
COMMUNITY_LISTINGS = Q(provider__kind="community_group")
#: "Picked by the council" stays short.
MAX_PICKS = 6


class ListingCuration(models.Model):
    service = models.OneToOneField(
        "providers.Service", on_delete=models.CASCADE, related_name="curation", limit_choices_to=COMMUNITY_LISTINGS,
        verbose_name="group or activity",
    )
    featured = models.BooleanField(
        "Featured by the council", default=False,
        help_text="Shown first on the community and home pages, marked “Featured by the council”.",
    )
    hidden = models.BooleanField("Hidden from the community pages", default=False)
    hidden_reason = models.TextField(
        "Why it is hidden", blank=True, max_length=500,
        help_text="Needed to hide a listing. Kept for the record; not shown to the public.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__title"]
        verbose_name = "featured or hidden listing"
        constraints = [
            models.CheckConstraint(condition=~Q(hidden=True, hidden_reason=""), name="curation_hidden_has_reason"),
            models.CheckConstraint(condition=~Q(hidden=True, featured=True), name="curation_hidden_not_featured"),
        ]

    def __str__(self):
        state = "hidden" if self.hidden else "featured" if self.featured else "shown as usual"
        return f"{self.service.title} ({state})"

    def clean(self):
        errors = {}
        if self.hidden and not self.hidden_reason.strip():
            errors["hidden_reason"] = "Say why it is hidden from the community pages."
        if self.hidden and self.featured:
            errors["featured"] = "A hidden listing cannot be featured: untick one of them."
        if errors:
            raise ValidationError(errors)


class CouncilPick(Orderable):
    service = models.OneToOneField(
        "providers.Service", on_delete=models.CASCADE, related_name="council_pick",
        limit_choices_to=COMMUNITY_LISTINGS, verbose_name="group or activity",
    )
    note = models.CharField(
        "Why the council picked it (optional)", max_length=200, blank=True,
        help_text="Shown under it, for example: Friendly, free, and a lift can be arranged.",
    )

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]
        verbose_name = "pick of the council"
        verbose_name_plural = "picked by the council"

    def __str__(self):
        return self.service.title

    def clean(self):
        if not self.pk and CouncilPick.objects.count() >= MAX_PICKS:
            raise ValidationError(f"The council's picks are kept short: at most {MAX_PICKS}. Remove one first.")
