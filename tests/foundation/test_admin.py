from http import HTTPStatus

from market.accounts.models import Role, User
from tests.factories import UserFactory


def test_platform_admin_manages_users_and_roles_in_the_wagtail_admin(verified_client, db):
    admin = UserFactory(roles=[Role.PLATFORM_ADMIN], is_staff=True, is_superuser=True)
    client = verified_client(admin)
    for path in ("/admin/", "/admin/users/", "/admin/users/new/", f"/admin/users/edit/{admin.pk}/",
                 "/admin/snippets/taxonomy/category/", "/admin/snippets/places/neighbourhood/"):
        assert client.get(path).status_code == HTTPStatus.OK, path

    response = client.post("/admin/users/new/", {
        "email": "new.coordinator@example.org", "full_name": "Nia Coordinator", "roles": ["coordinator"],
        "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1",
    })
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors if response.context else ""
    created = User.objects.get(email="new.coordinator@example.org")
    assert (created.full_name, created.roles) == ("Nia Coordinator", ["coordinator"])


def test_unknown_role_is_refused_in_the_admin(verified_client, db):
    admin = UserFactory(roles=[Role.PLATFORM_ADMIN], is_staff=True, is_superuser=True)
    client = verified_client(admin)
    response = client.post("/admin/users/new/", {
        "email": "x@example.org", "full_name": "X", "roles": ["overlord"],
        "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1",
    })
    assert response.status_code == HTTPStatus.OK
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.org").exists()
