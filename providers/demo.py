"""Demo providers for Scholes, Wigan: their owners, checks, services and weekly times.

Called from cms.demo.load_demo(). Idempotent: everything is keyed on a slug, an email or a title and created
only when missing, so a second run changes nothing. Dates are fixed offsets from the day it first runs, so
the approved providers' checks are current and one provider's DBS has just expired (hidden from search).

- Jo's Companions (sole trader, jo@demo.example): companionship and getting out, £17.50 an hour.
- Scholes Care Co-operative (co-operative, coop@demo.example): personal care with a verified CQC
  registration, help around the house, a sitting service for carers.
- Aspull Community Shed (community group, shed@demo.example): waiting for approval, documents pending.
- Hindley Home Cooking (sole trader, cook@demo.example): approved, but its DBS check has expired, so its
  meals are hidden until it uploads the renewed one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from market.accounts.models import Role, User
from market.demo_accounts import DEMO_PASSWORD
from market.places.models import Neighbourhood
from market.taxonomy.models import Category, Need

from .models import (
    AvailabilityException,
    CheckStatus,
    CheckType,
    LegalForm,
    MemberRole,
    Provider,
    ProviderCheck,
    ProviderMembership,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceStatus,
)
from .services.onboarding import kind_for

# A tiny valid PDF stands in for each scanned certificate.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

#: Owners added by this module (the foundation's USERS list already has jo@, coop@ and shed@).
EXTRA_OWNERS = [("cook@demo.example", "Bev Lowton")]


@dataclass
class DemoCheck:
    type_slug: str
    reference: str
    issued_days_ago: int
    expires_in_days: int | None
    person_name: str = ""
    amount_pence: int | None = None
    status: str = CheckStatus.APPROVED


@dataclass
class DemoService:
    title: str
    category: str
    description: str
    price_pence: int
    unit: str
    needs: list[str]
    minimum_units: int = 1
    languages: list[str] = field(default_factory=lambda: ["English"])
    accessibility_notes: str = ""
    council_budget_ok: bool = True
    # (weekday, "HH:MM", "HH:MM")
    availability: list[tuple[int, str, str]] = field(default_factory=list)
    days_off_in: list[int] = field(default_factory=list)


@dataclass
class DemoProvider:
    name: str
    slug: str
    legal_form: str
    status: str
    owner_email: str
    phone: str
    postcode: str
    neighbourhoods: list[str]
    description: str
    checks: list[DemoCheck]
    services: list[DemoService]
    website: str = ""
    cqc_exemption_reason: str = ""


WEEKDAYS_9_TO_5 = [(day, "09:00", "17:00") for day in range(5)]

PROVIDERS = [
    DemoProvider(
        name="Jo's Companions",
        slug="jos-companions",
        legal_form=LegalForm.SOLE_TRADER,
        status=ProviderStatus.APPROVED,
        owner_email="jo@demo.example",
        phone="01942 000101",
        postcode="WN1 3AD",
        neighbourhoods=["Scholes", "Whelley", "Wigan Central"],
        description="I'm Jo. I grew up in Scholes and spent twelve years as a home carer before going it alone.\n\n"
        "I visit for a natter and a brew, take people to the shops, the match or the club, and make sure "
        "nobody has to go without company. Same face every week.",
        checks=[
            DemoCheck("dbs-enhanced", "001912345678", 120, 975, person_name="Jo Fairclough"),
            DemoCheck("public-liability-insurance", "PL-JF-2026-118", 60, 305, amount_pence=500_000_000),
            DemoCheck("safeguarding-training", "SG-2026-4471", 200, 895, person_name="Jo Fairclough"),
        ],
        services=[
            DemoService(
                title="Companionship visits",
                category="Companionship",
                description="A friendly visit at home: a chat, a brew, a game of cards or a walk round the park. "
                "I can help you write letters or phone the family too.",
                price_pence=1750,
                unit="per_hour",
                needs=["Feeling less lonely", "Having a break from caring"],
                accessibility_notes="I'm used to hearing aids and I can sign a little (BSL level 1).",
                availability=WEEKDAYS_9_TO_5,
                days_off_in=[21],
            ),
            DemoService(
                title="Getting out and about",
                category="Getting out and about",
                description="Trips to the shops, the market, the rugby at the DW or the sailing club, in my car. "
                "Parking and your own tickets are extra.",
                price_pence=1800,
                unit="per_hour",
                minimum_units=2,
                needs=["Being part of the community", "Getting to places"],
                accessibility_notes="My car takes a folding wheelchair; I can't take a powered chair.",
                availability=[(2, "10:00", "16:00"), (5, "11:00", "18:00")],
            ),
        ],
    ),
    DemoProvider(
        name="Scholes Care Co-operative",
        slug="scholes-care-cooperative",
        legal_form=LegalForm.COOPERATIVE,
        status=ProviderStatus.APPROVED,
        owner_email="coop@demo.example",
        phone="01942 000102",
        postcode="WN1 3AS",
        neighbourhoods=["Scholes", "Ince", "Whelley", "Wigan Central"],
        website="https://scholes-care.example",
        description="Six care workers who own our co-op together. We started in 2019 because we wanted to "
        "give people time, not 15-minute calls.\n\nWe are registered with the Care Quality Commission for "
        "personal care and we speak English and Polish.",
        checks=[
            DemoCheck("cqc-registration", "1-2345678901", 900, None),
            DemoCheck("dbs-enhanced", "001998877665", 300, 795, person_name="Ray Molyneux"),
            DemoCheck("dbs-enhanced", "001955544433", 40, 1055, person_name="Agnieszka Nowak"),
            DemoCheck("public-liability-insurance", "PL-SCC-88213", 90, 275, amount_pence=1_000_000_000),
            DemoCheck("food-hygiene", "FH2-55120", 400, 695, person_name="Agnieszka Nowak"),
        ],
        services=[
            DemoService(
                title="Personal care at home",
                category="Personal care",
                description="Help getting up, washing, dressing, meals and medicines, at the times that suit you. "
                "Visits of at least an hour, from the same small team.",
                price_pence=2150,
                unit="per_hour",
                needs=["Staying well at home"],
                languages=["English", "Polish"],
                availability=[(day, "07:00", "22:00") for day in range(7)],
            ),
            DemoService(
                title="Help around the house",
                category="Domestic help",
                description="Cleaning, washing and ironing, changing the beds and a weekly shop.",
                price_pence=1600,
                unit="per_hour",
                minimum_units=2,
                needs=["Keeping the home safe and tidy", "Staying well at home"],
                languages=["English", "Polish"],
                availability=WEEKDAYS_9_TO_5,
            ),
            DemoService(
                title="Sitting service for carers",
                category="Respite",
                description="One of us stays with your loved one so you can have an afternoon or evening off.",
                price_pence=1900,
                unit="per_hour",
                minimum_units=3,
                needs=["Having a break from caring"],
                availability=[(day, "13:00", "22:00") for day in range(7)],
            ),
        ],
    ),
    DemoProvider(
        name="Aspull Community Shed",
        slug="aspull-community-shed",
        legal_form=LegalForm.COMMUNITY_GROUP,
        status=ProviderStatus.PENDING,
        owner_email="shed@demo.example",
        phone="01942 000103",
        postcode="",
        neighbourhoods=["Aspull", "Hindley"],
        description="A men's shed (women welcome!) behind the church hall. Woodwork, fixing things, "
        "a bit of gardening and a lot of tea.",
        checks=[
            DemoCheck(
                "public-liability-insurance",
                "CG-ASP-2026",
                20,
                345,
                amount_pence=200_000_000,
                status=CheckStatus.PENDING,
            ),
            DemoCheck(
                "dbs-enhanced", "001933322211", 15, 1080, person_name="Alan Prescott", status=CheckStatus.PENDING
            ),
        ],
        services=[
            DemoService(
                title="Shed sessions",
                category="Activities and groups",
                description="Drop in on Tuesday or Thursday for woodwork, repairs and a brew. All tools provided.",
                price_pence=0,
                unit="free",
                needs=["Feeling less lonely", "Being part of the community"],
                accessibility_notes="Step-free entrance and an accessible toilet.",
                availability=[(1, "10:00", "15:00"), (3, "10:00", "15:00")],
            ),
            DemoService(
                title="Garden tidy-ups",
                category="Gardening",
                description="Two of us come round to cut the grass, trim hedges and clear leaves.",
                price_pence=1200,
                unit="per_visit",
                needs=["Keeping the home safe and tidy"],
                availability=[(4, "09:00", "13:00")],
            ),
        ],
    ),
    DemoProvider(
        name="Hindley Home Cooking",
        slug="hindley-home-cooking",
        legal_form=LegalForm.SOLE_TRADER,
        status=ProviderStatus.APPROVED,
        owner_email="cook@demo.example",
        phone="01942 000104",
        postcode="",
        neighbourhoods=["Hindley", "Ince"],
        description="Proper home cooking, delivered warm: hotpot, stews, roast dinners and puddings.",
        checks=[
            # Expired three weeks ago: the listing is hidden until Bev uploads the renewed check.
            DemoCheck("dbs-enhanced", "001877766655", 1116, -21, person_name="Bev Lowton"),
            DemoCheck("public-liability-insurance", "PL-HHC-3310", 100, 265, amount_pence=200_000_000),
            DemoCheck("food-hygiene", "FH2-40981", 300, 795, person_name="Bev Lowton"),
        ],
        services=[
            DemoService(
                title="Home-cooked meals delivered",
                category="Meals",
                description="A hot dinner brought to your door at midday, with a pudding. Tell me what you like.",
                price_pence=650,
                unit="per_item",
                needs=["Staying well at home"],
                availability=[(day, "11:30", "13:30") for day in range(6)],
            ),
        ],
    ),
]


def _owner(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        full_name = dict(EXTRA_OWNERS)[email]
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, roles=[Role.PROVIDER_MEMBER]
        )
    return user


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def _load_checks(provider: Provider, spec: DemoProvider, owner: User, commissioner: User | None, today) -> None:
    for item in spec.checks:
        if ProviderCheck.objects.filter(provider=provider, reference=item.reference).exists():
            continue
        check_type = CheckType.objects.get(slug=item.type_slug)
        issued = today - datetime.timedelta(days=item.issued_days_ago)
        decided = item.status != CheckStatus.PENDING
        check = ProviderCheck(
            provider=provider,
            check_type=check_type,
            person_name=item.person_name,
            reference=item.reference,
            amount_pence=item.amount_pence,
            issued_on=issued,
            expires_on=None if item.expires_in_days is None else today + datetime.timedelta(days=item.expires_in_days),
            original_filename=f"{item.type_slug}.pdf",
            content_type="application/pdf",
            status=item.status,
            uploaded_by=owner,
            decided_by=commissioner if decided else None,
            decided_at=timezone.now() if decided else None,
        )
        check.file.save(f"{item.type_slug}.pdf", ContentFile(DEMO_PDF), save=False)
        check.save()


def _load_services(provider: Provider, spec: DemoProvider, today) -> None:
    neighbourhoods = list(provider.neighbourhoods.all())
    for item in spec.services:
        service, created = Service.objects.get_or_create(
            provider=provider,
            title=item.title,
            defaults={
                "description": item.description,
                "category": Category.objects.get(name=item.category),
                "price_pence": item.price_pence,
                "unit": item.unit,
                "minimum_units": item.minimum_units,
                "languages": item.languages,
                "accessibility_notes": item.accessibility_notes,
                "council_budget_ok": item.council_budget_ok,
                "status": ServiceStatus.LIVE,
            },
        )
        if not created:
            continue
        service.is_regulated_personal_care = service.category.is_regulated_personal_care
        service.save(update_fields=["is_regulated_personal_care"])
        service.needs.set(Need.objects.filter(name__in=item.needs))
        service.neighbourhoods.set(neighbourhoods)
        ServiceAvailability.objects.bulk_create(
            [
                ServiceAvailability(service=service, weekday=day, starts_at=_time(start), ends_at=_time(end))
                for day, start, end in item.availability
            ]
        )
        for days in item.days_off_in:
            AvailabilityException.objects.create(
                service=service, date=today + datetime.timedelta(days=days), is_available=False, note="Day off"
            )


def _let_commissioners_configure_checks() -> None:
    """The "Commissioners" group edits check types (a Wagtail snippet)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Commissioners")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="providers", codename__in=["add_checktype", "change_checktype", "view_checktype"]
        )
    )


def load_providers() -> None:
    _let_commissioners_configure_checks()

    today = timezone.localdate()
    commissioner = User.objects.filter(roles__contains=[Role.COMMISSIONER]).order_by("pk").first()
    for spec in PROVIDERS:
        owner = _owner(spec.owner_email)
        provider, created = Provider.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "legal_form": spec.legal_form,
                "kind": kind_for(spec.legal_form),
                "status": spec.status,
                "email": spec.owner_email,
                "phone": spec.phone,
                "postcode": spec.postcode,
                "website": spec.website,
                "description": spec.description,
                "onboarding_step": 5,
                "cqc_exemption_reason": spec.cqc_exemption_reason,
                "submitted_at": timezone.now(),
                "approved_at": timezone.now() if spec.status == ProviderStatus.APPROVED else None,
                "decided_by": commissioner if spec.status == ProviderStatus.APPROVED else None,
            },
        )
        if created:
            provider.neighbourhoods.set(Neighbourhood.objects.filter(name__in=spec.neighbourhoods))
        ProviderMembership.objects.get_or_create(provider=provider, user=owner, defaults={"role": MemberRole.OWNER})
        _load_checks(provider, spec, owner, commissioner, today)
        _load_services(provider, spec, today)
