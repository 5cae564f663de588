"""A commissioner manages the kinds of support, needs and neighbourhoods in the admin (it used to answer "Sorry, you
do not have permission"): the role brings the Commissioners group and its permissions."""

from http import HTTPStatus

import pytest

from market.accounts.models import Role
from market.accounts.services import user_grant_roles
from market.core.models import AuditEvent
from market.places.models import Neighbourhood
from market.taxonomy.models import Category
from tests.factories import UserFactory


@pytest.mark.parametrize("path", ["/admin/snippets/taxonomy/category/", "/admin/snippets/taxonomy/need/",
                                  "/admin/snippets/places/neighbourhood/", "/admin/snippets/taxonomy/category/add/"])
def test_a_new_commissioner_can_open_the_taxonomy_pages(db, verified_client, path):
    commissioner = user_grant_roles(user=UserFactory(), roles=[Role.COMMISSIONER])

    assert verified_client(commissioner).get(path).status_code == HTTPStatus.OK


def test_a_commissioner_adds_a_kind_of_support_and_a_neighbourhood(db, verified_client):
    client = verified_client(user_grant_roles(user=UserFactory(), roles=[Role.COMMISSIONER]))

    client.post("/admin/snippets/taxonomy/category/add/", {"name": "Befriending", "slug": "befriending",
                                                           "description": "", "sort_order": 5})
    neighbourhood = {"name": "Pemberton", "slug": "pemberton", "ward_codes": "", "latitude": "53.53",
                     "longitude": "-2.67"}
    client.post("/admin/snippets/places/neighbourhood/add/", neighbourhood)

    category = Category.objects.get(name="Befriending")
    place = Neighbourhood.objects.get(name="Pemberton")
    # Both are in the project's audit trail, with who did it (market/core/admin_audit.py).
    assert set(AuditEvent.objects.filter(actor__isnull=False).values_list("action", "object_id")) == {
        ("taxonomy.category.added", str(category.pk)), ("places.neighbourhood.added", str(place.pk))}


def test_others_still_cannot(db, client):
    holder = UserFactory(roles=[Role.BUDGET_HOLDER])
    client.force_login(holder)
    assert client.get("/admin/snippets/taxonomy/category/").status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
