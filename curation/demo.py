"""Demo curation: the council features the Pemberton stitching group and picks three activities for the home page.
Keyed by title, so loading twice changes nothing."""

from __future__ import annotations

from django.db import transaction

from providers.models import Service

from .models import CouncilPick, ListingCuration

FEATURED = ["Stitch and Natter"]
PICKS = [
    ("Thursday lunch club", "Two courses and good company; lifts can be arranged."),
    ("Monday health walk", "An hour on the flat, at everyone's pace."),
    ("Memory cafe", "For people living with dementia and the people who care for them."),
]


def load() -> None:
    with transaction.atomic():
        for title in FEATURED:
            service = Service.objects.filter(title=title).first()
            if service is not None:
                ListingCuration.objects.update_or_create(service=service, defaults={"featured": True})
        for position, (title, note) in enumerate(PICKS):
            service = Service.objects.filter(title=title).first()
            if service is not None:
                CouncilPick.objects.update_or_create(service=service, defaults={"note": note, "sort_order": position})
