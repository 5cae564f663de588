"""Issue 18, item 6, on the demo data: no public page promises card payments or payouts unconditionally, and the
pages say how money really moves. The demo is loaded once for this module (tests/conftest.py, demo_loaded_once)."""

from http import HTTPStatus

import pytest

from .test_public_promises import UNTRUE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded_once")]

PUBLIC_PAGES = ["/", "/how-it-works/", "/for-providers/", "/provider/", "/find-support/", "/accessibility/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_make_no_payment_promise(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert UNTRUE.search(response.content.decode()) is None


def test_pages_say_how_money_really_moves(client):
    how = client.get("/how-it-works/").content.decode()
    assert "by card on this website where the council has set up card payments" in how
    assert "confirmed automatically" in how
    assert "Where the council has set up payments" in client.get("/provider/").content.decode()
