"""Commissioners configure check types in the Wagtail admin; the menu links to the verification queue."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission

from providers.models import CheckType

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(verified_client, commissioner):
    group, _ = Group.objects.get_or_create(name="Commissioners")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        *Permission.objects.filter(
            content_type__app_label="providers", codename__in=["add_checktype", "change_checktype", "view_checktype"]
        ),
    )
    commissioner.groups.add(group)
    return verified_client(commissioner)


def test_a_commissioner_adds_a_check_type(council):
    response = council.post(
        "/admin/snippets/providers/checktype/add/",
        {
            "name": "First aid certificate",
            "slug": "first-aid",
            "description": "Emergency first aid at work.",
            "is_mandatory": "",
            "per_person": "on",
            "requires_amount": "",
            "regulated_care_only": "",
            "sort_order": "9",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    check_type = CheckType.objects.get(slug="first-aid")
    assert (check_type.per_person, check_type.is_mandatory) == (True, False)


def test_the_admin_menu_links_to_the_verification_queue(council):
    response = council.get("/admin/")

    assert response.status_code == HTTPStatus.OK
    assert "/commissioners/verification/" in response.content.decode()
