"""Deterministic demo data for Scholes, Wigan: the ground floor's part (places, taxonomy, people).

`manage.py load_demo` (cms.demo.load_demo) runs every area's demo in turn, from this one up. Everything is keyed
on a natural key (an email, a slug, a name) and created only when missing, so a second run is a no-op.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.accounts.models import CaseloadAssignment, ConsentScope, FundingRoute, Person, Role, User
from market.accounts.services import consent_grant
from market.demo_accounts import DEMO_PASSWORD
from market.places.models import Neighbourhood
from market.places.services import postcodes_import
from market.taxonomy.models import Category, Need

POSTCODES_CSV = Path(__file__).parent / "places" / "data" / "wigan_postcodes.csv"

NEIGHBOURHOODS = [
    # name, ward code (as in the demo postcode CSV), latitude, longitude
    ("Scholes", "E05099001", 53.5468, -2.6185),
    ("Wigan Central", "E05099002", 53.5448, -2.6320),
    ("Whelley", "E05099003", 53.5530, -2.6120),
    ("Pemberton", "E05099004", 53.5352, -2.6748),
    ("Orrell", "E05099005", 53.5302, -2.7078),
    ("Aspull", "E05099006", 53.5728, -2.5852),
    ("Hindley", "E05099007", 53.5352, -2.5752),
    ("Ince", "E05099008", 53.5391, -2.6093),
    ("Standish", "E05099009", 53.5868, -2.6632),
    ("Shevington", "E05099010", 53.5742, -2.6938),
    ("Ashton-in-Makerfield", "E05099011", 53.4878, -2.6402),
    ("Leigh", "E05099012", 53.4972, -2.5151),
    ("Atherton", "E05099013", 53.5232, -2.4931),
    ("Tyldesley", "E05099014", 53.5131, -2.4679),
]

CATEGORIES = [
    # name, description, regulated personal care
    ("Personal care", "Help with washing, dressing, eating and medicines at home.", True),
    ("Companionship", "Company, conversation and a friendly face.", False),
    ("Getting out and about", "Going to the shops, the match, the club or a class together.", False),
    ("Meals", "Cooking at home, or meals brought to your door.", False),
    ("Domestic help", "Cleaning, laundry, shopping and keeping the house in order.", False),
    ("Gardening", "Keeping the garden tidy and safe.", False),
    ("Respite", "A break for a family carer.", False),
    ("Activities and groups", "Clubs, crafts, music, sport and groups to join.", False),
    ("Transport", "Lifts to appointments, shops and activities.", False),
    ("Skills and learning", "Learning to cook, use a phone, manage money or travel alone.", False),
]

NEEDS = [
    ("Staying well at home", ["Personal care", "Meals", "Domestic help"]),
    ("Feeling less lonely", ["Companionship", "Activities and groups", "Getting out and about"]),
    ("Being part of the community", ["Activities and groups", "Getting out and about", "Skills and learning"]),
    ("Having a break from caring", ["Respite", "Companionship"]),
    ("Getting to places", ["Transport", "Getting out and about"]),
    ("Keeping the home safe and tidy", ["Domestic help", "Gardening"]),
    ("Being more independent", ["Skills and learning", "Transport"]),
]

# email, full name, roles, is_staff
USERS = [
    ("margaret@demo.example", "Margaret Hughes", [Role.BUDGET_HOLDER], False),
    ("dave@demo.example", "Dave Turner", [Role.BUDGET_HOLDER], False),
    ("peter@demo.example", "Peter Lowe", [Role.BUDGET_HOLDER], False),
    ("susan@demo.example", "Susan Hughes", [Role.SUPPORTER], False),
    ("linda@demo.example", "Linda Baxter", [Role.SUPPORTER], False),
    ("carol.coordinator@demo.example", "Carol Wright", [Role.COORDINATOR], False),
    ("cath.commissioner@demo.example", "Cath Bennett", [Role.COMMISSIONER], True),
    ("fin@demo.example", "Femi Okafor", [Role.FINANCE], False),
    ("admin@demo.example", "Asha Patel", [Role.PLATFORM_ADMIN], True),
    ("jo@demo.example", "Jo Fairclough", [Role.PROVIDER_MEMBER], False),
    ("coop@demo.example", "Ray Molyneux", [Role.PROVIDER_MEMBER], False),
    ("shed@demo.example", "Alan Prescott", [Role.PROVIDER_MEMBER], False),
]

# full name, user email (or None), funding route, neighbourhood, postcode, what matters, communication
PEOPLE = [
    ("Margaret Hughes", "margaret@demo.example", FundingRoute.DIRECT_PAYMENT, "Scholes", "WN1 3AD",
     "Staying in my own home near my daughter. Going to the tapestry group on Thursdays.", "Large print"),
    ("Dave Turner", "dave@demo.example", FundingRoute.COUNCIL_MANAGED, "Scholes", "WN1 3AS",
     "Rugby on Saturdays, and getting back to the sailing club.", ""),
    ("Jane Ashworth", None, FundingRoute.INDIVIDUAL_SERVICE_FUND, "Pemberton", None,
     "Being with other people who like making things.", "Easy read; a phone call before a visit"),
    ("Peter Lowe", "peter@demo.example", FundingRoute.SELF_FUNDED, "Aspull", None,
     "Keeping the garden going since my wife died.", ""),
    # Two adult brothers who live with their mother Linda and share a support worker's hours (a household).
    ("Tom Baxter", None, FundingRoute.DIRECT_PAYMENT, "Scholes", None,
     "Going out with my brother: the market, the rugby, the pictures.", "Short sentences; give me time to answer"),
    ("Joe Baxter", None, FundingRoute.COUNCIL_MANAGED, "Scholes", None,
     "Doing things with Tom, and getting better at the shops on my own.", "Easy read"),
]

def demo_totp_key(email: str) -> str:
    """A fixed TOTP key per demo account, so the README can say how to get a code. Demo accounts only."""
    return hashlib.sha256(f"demo-totp:{email}".encode()).hexdigest()[:40]


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


def load_places() -> None:
    for name, ward, lat, lng in NEIGHBOURHOODS:
        Neighbourhood.objects.get_or_create(
            slug=_slug(name), defaults={"name": name, "ward_codes": ward, "latitude": lat, "longitude": lng}
        )
    with POSTCODES_CSV.open(newline="") as handle:
        postcodes_import(lines=handle)


def load_taxonomy() -> None:
    for order, (name, description, regulated) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=_slug(name),
            defaults={"name": name, "description": description, "is_regulated_personal_care": regulated,
                      "sort_order": order},
        )
    for name, category_names in NEEDS:
        need, created = Need.objects.get_or_create(slug=_slug(name), defaults={"name": name})
        if created:
            need.categories.set(Category.objects.filter(name__in=category_names))


def load_people() -> None:
    users = {}
    for email, full_name, roles, is_staff in USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=full_name, roles=list(roles), is_staff=is_staff,
                is_superuser=Role.PLATFORM_ADMIN in roles,
            )
        users[email] = user
        if user.needs_second_factor and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=demo_totp_key(email), confirmed=True)
    _give_commissioners_admin_access(users["cath.commissioner@demo.example"])

    people = {}
    for full_name, email, route, neighbourhood, postcode, matters, communication in PEOPLE:
        person = Person.objects.filter(full_name=full_name).first()
        if person is None:
            person = Person.objects.create(
                full_name=full_name, user=users.get(email), funding_route=route,
                neighbourhood=Neighbourhood.objects.get(name=neighbourhood), postcode=postcode or "",
                what_matters=matters, communication_needs=communication,
            )
        people[full_name] = person

    coordinator = users["carol.coordinator@demo.example"]
    for name in ("Margaret Hughes", "Dave Turner", "Jane Ashworth", "Tom Baxter", "Joe Baxter"):
        CaseloadAssignment.objects.get_or_create(coordinator=coordinator, person=people[name])

    margaret = people["Margaret Hughes"]
    susan = users["susan@demo.example"]
    if not margaret.consents.filter(supporter=susan).exists():
        consent_grant(
            holder=margaret, supporter=susan, relationship="Daughter",
            scopes=[ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS],
            granted_by=margaret.user,
        )
    linda = users["linda@demo.example"]
    for name in ("Tom Baxter", "Joe Baxter"):  # their mother books and confirms for both (no logins of their own)
        if not people[name].consents.filter(supporter=linda).exists():
            consent_grant(holder=people[name], supporter=linda, relationship="Mother",
                          scopes=[ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS],
                          granted_by=coordinator)


def _give_commissioners_admin_access(commissioner: User) -> None:
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Commissioners")
    group.permissions.add(Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"))
    commissioner.groups.add(group)


@transaction.atomic
def load() -> None:
    """The ground floor's demo: neighbourhoods and postcodes, categories and needs, people and their accounts.
    The whole demo (providers, storefronts, orders) is loaded from the top, by `cms.demo.load_demo()`."""
    load_places()
    load_taxonomy()
    load_people()
