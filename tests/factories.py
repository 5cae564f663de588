"""Factories for the market-wide models. Each domain's tests add theirs beside them."""

from __future__ import annotations

import factory
from django.utils.text import slugify

from market.accounts.models import CaseloadAssignment, FundingRoute, Person, Role, User
from market.places.models import Neighbourhood, Postcode
from market.taxonomy.models import Category, Need
from providers.models import LegalForm, MemberRole, Provider, ProviderMembership, ProviderStatus

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        any_name = factory.Faker("name", locale="en_GB")

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    # Tests look for people's names in pages, where an apostrophe (O'Brien) is escaped: without one, a name reads the
    # same in HTML and in Python, and a test does not fail only when the random name has one.
    full_name = factory.LazyAttribute(lambda o: o.any_name.replace("'", ""))
    roles = factory.LazyFunction(list)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HolderUserFactory(UserFactory):
    roles = factory.LazyFunction(lambda: [Role.BUDGET_HOLDER])


class SupporterFactory(UserFactory):
    roles = factory.LazyFunction(lambda: [Role.SUPPORTER])


class CoordinatorFactory(UserFactory):
    roles = factory.LazyFunction(lambda: [Role.COORDINATOR])


class CommissionerFactory(UserFactory):
    roles = factory.LazyFunction(lambda: [Role.COMMISSIONER])
    is_staff = True


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    latitude = 53.5468
    longitude = -2.6185


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = "WN1 3AB"
    district = factory.LazyAttribute(lambda o: o.postcode.split(" ")[0])
    latitude = 53.5468
    longitude = -2.6185
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(HolderUserFactory)
    full_name = factory.LazyAttribute(lambda o: o.user.full_name if o.user else "Jane Ashworth")
    funding_route = FundingRoute.DIRECT_PAYMENT
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    what_matters = "Seeing friends at the tapestry group."


class CaseloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseloadAssignment

    coordinator = factory.SubFactory(CoordinatorFactory)
    person = factory.SubFactory(PersonFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Need {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    legal_form = LegalForm.SOLE_TRADER
    status = ProviderStatus.APPROVED
    email = factory.LazyAttribute(lambda o: f"{o.slug}@example.org")


class ProviderMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderMembership

    provider = factory.SubFactory(ProviderFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.PROVIDER_MEMBER])
    role = MemberRole.OWNER


# --- Providers: checks and services (owned by the providers area) ---------------------------------------

def _pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class ProviderCheckFactory(factory.django.DjangoModelFactory):
    """An approved, current check. Pass check_type=CheckType.objects.get(slug=...) (seeded by migration)."""

    class Meta:
        model = "providers.ProviderCheck"

    provider = factory.SubFactory(ProviderFactory)
    check_type = factory.LazyFunction(lambda: _check_type("dbs-enhanced"))
    person_name = "Jo Fairclough"
    reference = factory.Sequence(lambda n: f"REF{n:06d}")
    issued_on = factory.LazyFunction(lambda: _today() - _days(200))
    expires_on = factory.LazyFunction(lambda: _today() + _days(165))
    file = factory.django.FileField(data=_pdf_bytes(), filename="evidence.pdf")
    original_filename = "evidence.pdf"
    content_type = "application/pdf"
    status = "approved"
    decided_at = factory.LazyFunction(lambda: _now())


def _check_type(slug):
    from providers.models import CheckType

    return CheckType.objects.get(slug=slug)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _now():
    from django.utils import timezone

    return timezone.now()


def _days(n):
    import datetime

    return datetime.timedelta(days=n)


def make_provider_checks_current(provider, **overrides):
    """Give `provider` an approved, current check of every mandatory type, so it can be listed."""
    from providers.models import CheckType

    return [
        ProviderCheckFactory(provider=provider, check_type=check_type, **overrides)
        for check_type in CheckType.objects.filter(is_mandatory=True)
    ]


class ServiceFactory(factory.django.DjangoModelFactory):
    """A live service of an approved provider. Use ListedServiceFactory for one that is publicly listed."""

    class Meta:
        model = "providers.Service"
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Companionship visit {n}")
    description = "A friendly visit for a chat, a cup of tea and a walk if you feel like it."
    category = factory.SubFactory(CategoryFactory, name="Companionship")
    price_pence = 1750
    unit = "per_hour"
    status = "live"


class ListedServiceFactory(ServiceFactory):
    """A live service whose provider is approved and has every mandatory check current."""

    @factory.post_generation
    def _checks(obj, create, extracted, **kwargs):
        from providers.models import CheckType, ProviderCheck

        if create:
            for check_type in CheckType.objects.filter(is_mandatory=True):
                if not ProviderCheck.objects.filter(provider=obj.provider, check_type=check_type).exists():
                    ProviderCheckFactory(provider=obj.provider, check_type=check_type)
