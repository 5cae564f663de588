"""Demo data for community connections: community groups across the borough, most in Pemberton and Orrell (WN5),
where the demo had no supply; a person whose plan moved from about £70 a week of paid support to £17 a week of
activities; what matters to people; an introduction waiting; credits earned; volunteering and equipment posts.

Loaded by cms.demo.load_demo after the providers. Keyed on slugs, emails and names; a second run adds nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from market.accounts.models import CaseloadAssignment, FundingRoute, Person, Role, User
from market.demo_accounts import DEMO_PASSWORD
from market.places.models import Neighbourhood
from market.taxonomy.models import Category, Need
from providers.models import (
    DeliveryMode,
    LegalForm,
    MemberRole,
    Provider,
    ProviderKind,
    ProviderMembership,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceStatus,
)

from . import services
from .models import CommunityPost, Contribution, Introduction, Participation, PlanSettings, WhatMatters
from .services import credits, posts


@dataclass
class DemoActivity:
    title: str
    category: str
    description: str
    venue: str
    address: str
    postcode: str
    schedule: str
    slots: list[tuple[int, str, str]]
    price_pence: int = 0
    unit: str = "free"
    come_along: str = ""
    accessibility: str = ""
    booking_needed: bool = False
    accepts_credits: bool = False
    needs: list[str] = field(default_factory=lambda: ["Feeling less lonely", "Being part of the community"])


@dataclass
class DemoGroup:
    name: str
    slug: str
    owner_email: str
    owner_name: str
    neighbourhoods: list[str]
    postcode: str
    description: str
    activities: list[DemoActivity]
    legal_form: str = LegalForm.COMMUNITY_GROUP


GROUPS = [
    DemoGroup("Pemberton Stitch and Natter", "pemberton-stitch-and-natter", "stitch@demo.example", "Brenda Kay",
              ["Pemberton", "Orrell"], "WN5 0AF",
              "Knitting, sewing, tapestry and a good natter. Bring what you are working on, or start something new.",
              [DemoActivity("Stitch and Natter", "Activities and groups",
                            "A friendly stitching group: knitting, sewing, tapestry. Wool and needles to borrow.",
                            "St John's Church Hall", "Ormskirk Road, Pemberton", "WN5 0AF",
                            "Every Tuesday, 10am to 12 noon", [(1, "10:00", "12:00")],
                            come_along="Just turn up. Brenda will meet you at the door. Tea and biscuits are free.",
                            accessibility="Step-free entrance, accessible toilet, hearing loop.",
                            accepts_credits=True)]),
    DemoGroup("Orrell Lunch Club", "orrell-lunch-club", "lunch@demo.example", "Pat Hesketh", ["Orrell", "Pemberton"],
              "WN5 8AD", "A hot two-course lunch and company, cooked by volunteers, every Thursday.",
              [DemoActivity("Thursday lunch club", "Meals", "Two courses and a cup of tea, with bingo after.",
                            "Orrell Methodist Church", "Church Street, Orrell", "WN5 8AD",
                            "Every Thursday, 12 noon to 2pm", [(3, "12:00", "14:00")], price_pence=350,
                            unit="per_session", booking_needed=True, accepts_credits=True,
                            come_along="Ring the week before so we cook enough. Lifts can be arranged.",
                            accessibility="Step-free; we can cater for soft diets.",
                            needs=["Feeling less lonely", "Staying well at home"])]),
    DemoGroup("Wigan and Orrell Sailing Club", "wigan-orrell-sailing-club", "sail@demo.example", "Mike Ashurst",
              ["Orrell", "Pemberton", "Wigan Central"], "WN5 8AT",
              "Dinghy sailing for everyone, with adapted boats and volunteers who sail with you.",
              [DemoActivity("Saturday sailing", "Activities and groups",
                            "Sail a dinghy with an instructor. Adapted boats and a hoist for wheelchair users.",
                            "The Boathouse, Orrell Water Park", "Lodge Road, Orrell", "WN5 8AT",
                            "Saturdays, 10am to 1pm, April to October", [(5, "10:00", "13:00")], price_pence=800,
                            unit="per_session", booking_needed=True,
                            come_along="Wear old clothes and bring a change. Buoyancy aids are provided.",
                            accessibility="Hoist, adapted boats, accessible changing room.")]),
    DemoGroup("Pemberton Adult Learning", "pemberton-adult-learning", "college@demo.example", "Ruth Iqbal",
              ["Pemberton"], "WN5 0BA", "Short courses for adults at the community college annexe.",
              [DemoActivity("Cooking on a budget (10-week course)", "Skills and learning",
                            "Cook simple, cheap meals from scratch, and eat what you make.",
                            "Pemberton Community College annexe", "Enfield Street, Pemberton", "WN5 0BA",
                            "Wednesdays, 1pm to 3pm, in term time", [(2, "13:00", "15:00")], price_pence=900,
                            unit="per_session", booking_needed=True,
                            needs=["Being more independent", "Being part of the community"])]),
    DemoGroup("Orrell Water Park Walkers", "orrell-water-park-walkers", "walk@demo.example", "Sue Gaskell",
              ["Orrell", "Pemberton"], "WN5 8BJ", "Gentle walks with a cafe stop. Nobody is left behind.",
              [DemoActivity("Monday health walk", "Getting out and about",
                            "About an hour on flat paths round the water park, then a brew at the cafe.",
                            "Orrell Water Park car park", "Lodge Road, Orrell", "WN5 8BJ",
                            "Every Monday, 10am to 11:30am", [(0, "10:00", "11:30")], accepts_credits=True,
                            come_along="Meet at the car park noticeboard. Wear comfortable shoes.",
                            accessibility="Flat, firm paths; benches every few hundred metres.")]),
    DemoGroup("Pemberton Men's Shed", "pemberton-mens-shed", "pshed@demo.example", "Les Unsworth", ["Pemberton"],
              "WN5 0BG", "Woodwork, repairs and a brew, shoulder to shoulder.",
              [DemoActivity("Shed open days", "Activities and groups",
                            "Make and mend: woodwork, bike repairs, bird boxes for the school.",
                            "The Shed, behind Pemberton Library", "Ormskirk Road, Pemberton", "WN5 0BG",
                            "Tuesdays and Fridays, 10am to 3pm", [(1, "10:00", "15:00"), (4, "10:00", "15:00")],
                            come_along="Drop in. Tools provided; we will show you how.")]),
    DemoGroup("Leigh Library Memory Cafe", "leigh-memory-cafe", "cafe@demo.example", "Nadia Begum", ["Leigh"],
              "", "A relaxed cafe for people living with dementia and the people who care for them.",
              [DemoActivity("Memory cafe", "Activities and groups",
                            "Music, reminiscence and a cuppa, with advisers on hand.", "Leigh Library",
                            "Turnpike Centre, Leigh", "", "First and third Wednesday, 2pm to 4pm",
                            [(2, "14:00", "16:00")], needs=["Feeling less lonely", "Having a break from caring"])]),
]

GARY = ("Gary Holt", "Pemberton", "WN5 0BH")
GARY_ACTIVITIES = [("Saturday sailing", 1), ("Cooking on a budget (10-week course)", 1), ("Monday health walk", 1),
                   ("Shed open days", 1)]
GARY_PURCHASES = [("Walking boots", 4500), ("Warriors rugby league season ticket", 12000)]


def _user(email: str, full_name: str, roles: list[str]) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, roles=roles)
    return user


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def load_groups() -> None:
    commissioner = User.objects.filter(roles__contains=[Role.COMMISSIONER]).order_by("pk").first()
    for spec in GROUPS:
        owner = _user(spec.owner_email, spec.owner_name, [Role.PROVIDER_MEMBER])
        provider, created = Provider.objects.get_or_create(slug=spec.slug, defaults={
            "name": spec.name, "legal_form": spec.legal_form, "kind": ProviderKind.COMMUNITY_GROUP,
            "status": ProviderStatus.APPROVED, "email": spec.owner_email, "postcode": spec.postcode,
            "description": spec.description, "onboarding_step": 5, "submitted_at": timezone.now(),
            "approved_at": timezone.now(), "decided_by": commissioner,
        })
        if not created:
            continue
        provider.neighbourhoods.set(Neighbourhood.objects.filter(name__in=spec.neighbourhoods))
        ProviderMembership.objects.get_or_create(provider=provider, user=owner, defaults={"role": MemberRole.OWNER})
        for item in spec.activities:
            service = Service.objects.create(
                provider=provider, title=item.title, description=item.description,
                category=Category.objects.get(name=item.category), price_pence=item.price_pence, unit=item.unit,
                status=ServiceStatus.LIVE, delivery=DeliveryMode.AT_VENUE, venue_name=item.venue,
                venue_address=item.address, venue_postcode=item.postcode, schedule_note=item.schedule,
                come_along=item.come_along, accessibility_notes=item.accessibility,
                booking_needed=item.booking_needed, accepts_credits=item.accepts_credits, council_budget_ok=True)
            service.needs.set(Need.objects.filter(name__in=item.needs))
            ServiceAvailability.objects.bulk_create([
                ServiceAvailability(service=service, weekday=day, starts_at=_time(start), ends_at=_time(end))
                for day, start, end in item.slots])


def _activity(title: str) -> Service:
    return Service.objects.get(title=title, delivery=DeliveryMode.AT_VENUE)


def load_people() -> None:
    carol = User.objects.get(email="carol.coordinator@demo.example")
    name, neighbourhood, postcode = GARY
    gary = Person.objects.filter(full_name=name).first()
    if gary is None:
        gary = services.caseload_person_add(coordinator=carol, full_name=name, preferred_name="Gary", postcode=postcode,
                                            funding_route=FundingRoute.INDIVIDUAL_SERVICE_FUND,
                                            neighbourhood=Neighbourhood.objects.get(name=neighbourhood))
    if not WhatMatters.objects.filter(person=gary).exists():
        services.what_matters_record(
            person=gary, by=carol,
            story="I was a joiner for 30 years until my stroke. I live with my brother Phil.",
            interests="Rugby league (Warriors), being on the water, cooking my mum's recipes.",
            gifts="I can fix anything made of wood. I am patient teaching people.",
            people="Phil, my brother. My mates from the site, who I don't see any more.",
            goals="Get back out on a boat. Cook for Phil. Go to the match with my mates.")
    if not PlanSettings.objects.filter(person=gary).exists():
        services.plan_settings_set(person=gary, by=carol, indicative_weekly_pence=7000,
                                   replaced_package="Home care and a day centre place, estimated at the assessment",
                                   replaced_weekly_pence=7000)
    if not Participation.objects.filter(person=gary).exists():
        monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 21)
        for title, sessions in GARY_ACTIVITIES:
            services.activity_join(person=gary, service=_activity(title), by=carol, sessions_per_week=sessions,
                                   on=monday)
        for description, pence in GARY_PURCHASES:
            services.plan_purchase_add(person=gary, by=carol, description=description, amount_pence=pence,
                                       bought_on=monday)
    jane = Person.objects.filter(full_name="Jane Ashworth").first()
    if jane is not None and not Introduction.objects.filter(person=jane).exists():
        CaseloadAssignment.objects.get_or_create(coordinator=carol, person=jane)
        services.what_matters_record(
            person=jane, by=carol, story="I used to work on the market, on the haberdashery stall.",
            interests="Making things: tapestry, knitting, cards.", gifts="I can teach anyone to knit.",
            people="My niece Kelly rings on Sundays.", goals="To be with people who like making things.")
        services.introduction_make(person=jane, service=_activity("Stitch and Natter"), by=carol,
                                   note="Jane, this group meets on Tuesdays near you and they do tapestry. "
                                        "Brenda will meet you at the door.")


def load_credits_and_posts() -> None:
    susan = User.objects.get(email="susan@demo.example")
    lunch = Provider.objects.get(slug="orrell-lunch-club")
    lunch_owner = User.objects.get(email="lunch@demo.example")
    if not Contribution.objects.filter(volunteer=susan).exists():
        day = timezone.localdate() - datetime.timedelta(days=7)
        earned = credits.contribution_claim(volunteer=susan, provider=lunch, given_on=day, hours=3,
                                            what="Served lunch and washed up")
        credits.contribution_confirm(contribution=earned, by=lunch_owner)
        credits.contribution_claim(volunteer=susan, provider=lunch, given_on=timezone.localdate(), hours=2,
                                   what="Ran the bingo")
    if not CommunityPost.objects.exists():
        pemberton = Neighbourhood.objects.get(name="Pemberton")
        orrell = Neighbourhood.objects.get(name="Orrell")
        posts.post_create(author=lunch_owner, kind="volunteers_wanted", title="Lunch club helpers",
                          body="Help serve lunch and wash up for about 30 people. No experience needed.",
                          when="Thursdays, 11am to 2:30pm", neighbourhood=orrell)
        posts.post_create(author=User.objects.get(email="margaret@demo.example"), kind="equipment_wanted",
                          title="Shower seat wanted", body="A fold-down shower seat, or a stool for the bath.",
                          neighbourhood=Neighbourhood.objects.get(name="Scholes"))
        posts.post_create(author=User.objects.get(email="stitch@demo.example"), kind="equipment_offered",
                          title="Shower stool", body="Adjustable shower stool, hardly used. Free to a good home.",
                          neighbourhood=pemberton)
        posts.post_create(author=User.objects.get(email="pshed@demo.example"), kind="offer_to_help",
                          title="Small repairs", body="The shed can fix a wobbly chair or a sticking door for "
                          "anyone who cannot. Ring Les on 01942 000555.", neighbourhood=pemberton)


@transaction.atomic
def load() -> None:
    load_groups()
    load_people()
    load_credits_and_posts()
