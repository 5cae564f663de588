"""Scale data sets for the directory benchmark: a borough (5,000 services from 1,000 providers) or ten
boroughs (50,000 services from 10,000 providers), over the demo postcode table, with checks, availability,
needs and coverage. Built with bulk_create (the larger in a few minutes); deterministic (seeded), so two
runs measure the same data. Ten boroughs are packed into the one borough's postcodes, which makes every
nearby-first search ten times as crowded as a real ten-borough council would: the harder case.

Mix (roughly what a mature borough market might look like):
- providers: 90% approved with current checks, 4% approved but with an expired DBS check (hidden),
  3% pending, 3% suspended; each based at a postcode, covering 1-3 neighbourhoods;
- services: 5 per provider, across the demo categories; 80% cover neighbourhoods, 20% a travel radius;
  95% live; 2-4 weekly slots each; 1-2 needs; 12% speak a second language;
- personal-care services belong to providers with a verified CQC registration.
"""

from __future__ import annotations

import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

#: Services in each data set: "small" is only to prove a benchmark runs (the issue's sizes are the other two).
SCALES = {"small": 500, "borough": 5_000, "ten-boroughs": 50_000}
SERVICES_PER_PROVIDER = 5
BATCH = 2_000  # rows per INSERT: with server-side binding, PostgreSQL takes at most 65,535 parameters
SEED = 20261123

FIRST = ["Dave", "Jane", "Asha", "Mohammed", "Karen", "Tomasz", "Grace", "Sean", "Priya", "Ken", "Lucy", "Bilal",
         "Maureen", "Joe", "Aisha", "Gary", "Helen", "Wojciech", "Sandra", "Imran"]
KINDS = ["Helping Hands", "Community Co-op", "Garden Friends", "Good Company", "Home Help", "Days Out",
         "Kitchen Table", "Carers' Break", "Tea and Chat", "Wheels", "Crafts Club", "Life Skills"]
LANGUAGES = ["Urdu", "Polish", "Punjabi", "Bengali", "Arabic", "British Sign Language", "Romanian", "Gujarati"]

# (title stem, description words) per category slug: realistic vocabulary for full-text search.
TEXT = {
    "personal-care": (["Morning help", "Evening help", "Help with washing and dressing", "Medicines support"],
                      "washing dressing bathing medicines breakfast morning routine bedtime continence shaving"),
    "companionship": (["Cuppa and a chat", "Friendly visits", "Befriending", "Company at home"],
                      "tea chat conversation friendship company lonely visits reading newspapers stories"),
    "getting-out-and-about": (["Trips out", "Match days", "Shopping together", "Walks in the park"],
                              "walks park shops rugby football market cafe bus trips outings"),
    "meals": (["Home cooked meals", "Meals on wheels", "Cooking together", "Sunday dinners"],
              "meals cooking dinner lunch hot food soup baking halal vegetarian diet"),
    "domestic-help": (["Cleaning and laundry", "Shopping and errands", "Tidy home", "Ironing"],
                      "cleaning laundry ironing hoovering shopping errands bins tidy kitchen bathroom"),
    "gardening": (["Garden tidy", "Hedge trimming", "Lawn mowing", "Allotment help"],
                  "garden hedges lawn mowing weeding planting allotment vegetables borders leaves"),
    "respite": (["Sitting service", "Carer's afternoon off", "Overnight sitting", "Short breaks"],
                "respite break carer sitting overnight dementia rest family weekend"),
    "activities-and-groups": (["Craft group", "Tapestry circle", "Singing group", "Tea dance"],
                              "crafts tapestry knitting singing music dance group club art bingo"),
    "transport": (["Lifts to appointments", "Wheelchair transport", "School runs", "Hospital trips"],
                  "lifts car wheelchair accessible appointments hospital doctor transport driver"),
    "skills-and-learning": (["Learn to cook", "Phone and tablet help", "Money skills", "Travel training"],
                            "learning cooking phone tablet internet money budgeting travel independence"),
}
UNITS = ["per_hour"] * 6 + ["per_session"] * 2 + ["per_visit", "per_day"]


def _check_file() -> str:
    return "checks/bench/evidence.pdf"  # not opened by the benchmark; evidence files are private anyway


def dataset_ready(services: int) -> bool:
    from providers.models import Service

    return Service.objects.count() == services


@transaction.atomic
def generate(services_wanted: int, *, log=print) -> dict:
    from django.contrib.auth.hashers import make_password

    from market.accounts.models import Role, User
    from market.demo import load_places, load_taxonomy
    from market.places.models import Neighbourhood, Postcode
    from market.taxonomy.models import Category, Need
    from providers.models import (
        CheckType,
        LegalForm,
        Provider,
        ProviderCheck,
        ProviderMembership,
        Service,
        ServiceAvailability,
    )

    started = time.monotonic()
    rng = random.Random(SEED)
    load_places()
    load_taxonomy()
    neighbourhoods = list(Neighbourhood.objects.all())
    postcodes = list(Postcode.objects.exclude(neighbourhood=None).values_list("postcode", "neighbourhood_id"))
    categories = list(Category.objects.all())
    needs_by_category = {c.pk: list(Need.objects.filter(categories=c).values_list("pk", flat=True)) for c in categories}
    check_types = {c.slug: c for c in CheckType.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    log(f"  places: {len(neighbourhoods)} neighbourhoods, {len(postcodes)} postcodes; {len(categories)} categories")

    # Providers ----------------------------------------------------------------------------------------------
    providers = []
    for n in range(services_wanted // SERVICES_PER_PROVIDER):
        name = f"{rng.choice(FIRST)}'s {rng.choice(KINDS)} {n:05d}"
        roll = rng.random()
        status = "approved" if roll < 0.94 else ("pending" if roll < 0.97 else "suspended")
        providers.append(Provider(
            name=name, slug=slugify(name), legal_form=rng.choice(LegalForm.values), status=status,
            description=f"{name} offers care and support in Wigan.", email=f"p{n:05d}@bench.example",
            phone=f"01942 {n:06d}", postcode=rng.choice(postcodes)[0],
            approved_at=now if status == "approved" else None,
        ))
    Provider.objects.bulk_create(providers, batch_size=BATCH)
    providers = list(Provider.objects.order_by("pk"))
    through = Provider.neighbourhoods.through
    through.objects.bulk_create(
        [through(provider_id=p.pk, neighbourhood_id=nb.pk)
         for p in providers for nb in rng.sample(neighbourhoods, rng.randint(1, 3))],
        batch_size=BATCH,
    )
    owner_password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"owner{n:05d}@bench.example", full_name=f"Owner {n}", roles=[Role.PROVIDER_MEMBER],
              password=owner_password) for n in range(len(providers))],
        batch_size=BATCH,
    )
    ProviderMembership.objects.bulk_create(
        [ProviderMembership(provider=p, user=u, role="owner") for p, u in zip(providers, users, strict=True)],
        batch_size=BATCH,
    )
    log(f"  providers: {len(providers)} ({time.monotonic() - started:.0f} s)")

    # Checks -------------------------------------------------------------------------------------------------
    checks = []
    cqc_providers = set()

    def check(provider, slug, *, expired=False):
        issued = today - datetime.timedelta(days=rng.randint(30, 300))
        days = -3 if expired else rng.randint(30, 700)
        expires = today + datetime.timedelta(days=days)
        if expired:
            issued = expires - datetime.timedelta(days=365)
        return ProviderCheck(
            provider=provider, check_type=check_types[slug],
            person_name="Bench Person" if slug == "dbs-enhanced" else "",
            reference=f"B{provider.pk}{slug[:3].upper()}", issued_on=issued, expires_on=expires, file=_check_file(),
            original_filename="evidence.pdf", content_type="application/pdf", status="approved",
            decided_at=now - datetime.timedelta(days=rng.randint(0, 200)),
        )

    for provider in providers:
        checks.append(check(provider, "dbs-enhanced", expired=rng.random() < 0.04))
        checks.append(check(provider, "public-liability-insurance"))
        if rng.random() < 0.25:
            checks.append(check(provider, "cqc-registration"))
            cqc_providers.add(provider.pk)
        if rng.random() < 0.3:
            checks.append(check(provider, "safeguarding-training"))
    ProviderCheck.objects.bulk_create(checks, batch_size=BATCH)
    log(f"  checks: {len(checks)} ({time.monotonic() - started:.0f} s)")

    # Services -----------------------------------------------------------------------------------------------
    regulated = [c for c in categories if c.is_regulated_personal_care]
    ordinary = [c for c in categories if not c.is_regulated_personal_care]
    services = []
    plan = []  # (neighbourhood ids, need ids) per service, in creation order
    for provider in providers:
        for _ in range(SERVICES_PER_PROVIDER):
            cqc = provider.pk in cqc_providers and rng.random() < 0.5
            category = rng.choice(regulated) if cqc else rng.choice(ordinary)
            stems, words = TEXT.get(category.slug, (["Support"], "support help"))
            vocabulary = words.split()
            unit = rng.choice(UNITS)
            free = rng.random() < 0.03
            by_radius = rng.random() < 0.2
            description = (
                f"{rng.choice(stems)} from {provider.name}. We help with "
                f"{', '.join(rng.sample(vocabulary, 4))} and {rng.choice(vocabulary)}. "
                "Friendly, reliable, local people, checked by the council."
            )
            languages = ["English"] + ([rng.choice(LANGUAGES)] if rng.random() < 0.12 else [])
            services.append(Service(
                provider=provider, title=f"{rng.choice(stems)}", description=description, category=category,
                price_pence=0 if free else rng.randrange(800, 3200, 25), unit="free" if free else unit,
                minimum_units=rng.choice([1, 1, 1, 2, 3]), travel_radius_km=rng.randint(2, 12) if by_radius else None,
                languages=languages, is_regulated_personal_care=category.is_regulated_personal_care,
                council_budget_ok=rng.random() < 0.8, status="live" if rng.random() < 0.95 else "paused",
            ))
            areas = [] if by_radius else [nb.pk for nb in rng.sample(neighbourhoods, rng.randint(1, 3))]
            pool = needs_by_category.get(category.pk) or []
            plan.append((areas, rng.sample(pool, min(len(pool), rng.randint(1, 2)))))
    Service.objects.bulk_create(services, batch_size=BATCH)
    services = list(Service.objects.order_by("pk").only("pk"))
    service_areas = Service.neighbourhoods.through
    service_needs = Service.needs.through
    service_areas.objects.bulk_create(
        [service_areas(service_id=s.pk, neighbourhood_id=nb) for s, (areas, _) in zip(services, plan, strict=True)
         for nb in areas],
        batch_size=BATCH,
    )
    service_needs.objects.bulk_create(
        [service_needs(service_id=s.pk, need_id=need) for s, (_, needs) in zip(services, plan, strict=True)
         for need in needs],
        batch_size=BATCH,
    )
    slots = []
    for service in services:
        for weekday in rng.sample(range(7), rng.randint(2, 4)):
            start = rng.choice([8, 9, 10, 13, 14, 17])
            slots.append(ServiceAvailability(
                service_id=service.pk, weekday=weekday, starts_at=datetime.time(start),
                ends_at=datetime.time(min(start + rng.choice([2, 3, 4]), 22)),
            ))
    ServiceAvailability.objects.bulk_create(slots, batch_size=BATCH)
    log(f"  services: {len(services)}, weekly slots: {len(slots)} ({time.monotonic() - started:.0f} s)")
    return {"providers": len(providers), "services": len(services), "checks": len(checks), "slots": len(slots),
            "seconds": round(time.monotonic() - started, 1)}


def storefronts(count: int, *, log=print) -> list[str]:
    """Storefront pages for `count` listed providers (through the real storefront_ensure)."""
    from cms.models import ProviderPage
    from cms.storefronts import storefront_ensure
    from providers.selectors import listed_providers

    have = list(ProviderPage.objects.values_list("slug", flat=True)[:count])
    if len(have) >= count:
        return have
    for provider in listed_providers().order_by("pk")[: count - len(have)]:
        storefront_ensure(provider=provider)
    log(f"  storefronts: {count}")
    return list(ProviderPage.objects.values_list("slug", flat=True)[:count])


def compact_listing() -> None:
    """Rewrite the listing table compactly once after generating: the bulk statements fire its triggers once
    per statement touching a provider, leaving free space a borough in service would not have. The plain
    VACUUM then marks its pages all-visible, as autovacuum does in service."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (FULL) directory_listing")
        cursor.execute("VACUUM directory_listing")


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
