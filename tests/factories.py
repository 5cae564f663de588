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

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
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
