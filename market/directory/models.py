"""Anonymous records of directory searches: the commissioners' evidence of demand and of unmet need.

Nothing here identifies who searched: no user, no session, no IP address, no full postcode and no free text
(people type names and diagnoses into search boxes). Only the postcode district, the filters chosen and how
many results there were.
"""

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
