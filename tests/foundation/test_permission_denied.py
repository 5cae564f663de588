"""A page someone may not open: not signed in (or signed out since), they are sent to sign in and brought back;
signed in without the role, they are told why not (403). One handler for every page (market.core.views)."""

from http import HTTPStatus
from urllib.parse import quote

import pytest

from market.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/commissioners/", "/commissioners/market/?neighbourhood=1", "/staff/background/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_someone_not_signed_in_is_sent_to_sign_in_and_back(client, path):
    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/account/sign-in/?next={quote(path, safe='/')}"


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_session_signed_out_since_is_sent_to_sign_in(client, commissioner, path):
    client.force_login(commissioner)
    client.logout()

    assert client.get(path)["Location"].startswith("/account/sign-in/?next=")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_someone_signed_in_without_the_role_is_told_why_not(client, path):
    client.force_login(UserFactory(roles=[Role.BUDGET_HOLDER]))

    response = client.get(path)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You cannot do that" in response.content.decode()


def test_a_form_posted_without_signing_in_is_still_refused(client):
    assert client.post("/commissioners/market/refresh/").status_code == HTTPStatus.FORBIDDEN
