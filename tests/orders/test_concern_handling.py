"""Commissioners take on and close concerns; every step is recorded with who, when and why."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from orders.exceptions import OrderRefused
from orders.models import ConcernStatus
from orders.services import concern_close, concern_raise, concern_take
from tests import factories


@pytest.fixture
def concern(db):
    provider = factories.ProviderFactory()
    return concern_raise(user=factories.UserFactory(), provider=provider, is_safeguarding=True,
                         body="The carer shouted at my dad and left early.")


def test_a_commissioner_takes_on_then_closes_a_safeguarding_concern(concern, commissioner):
    concern_take(concern=concern, by=commissioner, note="Section 42 enquiry opened; provider told.")
    concern_close(concern=concern, by=commissioner, note="Enquiry finished: training agreed, no further action.")

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    steps = AuditEvent.objects.filter(object_type="orders.concern", object_id=str(concern.pk)).order_by("pk")
    assert [(event.action, event.actor) for event in steps] == [
        ("concern.raised", concern.raised_by),
        ("concern.taken", commissioner),
        ("concern.closed", commissioner),
    ]
    assert steps.last().data["note"] == "Enquiry finished: training agreed, no further action."


@pytest.mark.parametrize(
    ("who", "note", "message"),
    [
        ("commissioner", "   ", "Say what you have done or decided"),
        ("coordinator", "Looked at it", "Only a commissioner can handle concerns"),
    ],
)
def test_refused_handling_changes_nothing(concern, commissioner, coordinator, who, note, message):
    user = {"commissioner": commissioner, "coordinator": coordinator}[who]
    with pytest.raises(OrderRefused, match=message):
        concern_take(concern=concern, by=user, note=note)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN
    assert not AuditEvent.objects.filter(action="concern.taken").exists()


def test_a_closed_concern_cannot_be_taken_on(concern, commissioner):
    concern_close(concern=concern, by=commissioner, note="Duplicate of an earlier concern.")
    with pytest.raises(OrderRefused, match="This concern is already closed"):
        concern_take(concern=concern, by=commissioner, note="Again")
    assert AuditEvent.objects.filter(action="concern.taken").count() == 0


def test_the_concern_page_for_commissioners_only(concern, commissioner, verified_client, client):
    url = reverse("orders:concern", args=[concern.pk])
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN

    commissioner_client = verified_client(commissioner)
    page = commissioner_client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "Urgent: safeguarding" in page.content.decode()

    response = commissioner_client.post(url, {"action": "take", "note": ""})
    assert response.context["form"].errors == {"note": ["Say what you have done or decided"]}

    response = commissioner_client.post(url, {"action": "take", "note": "Enquiry opened."})
    assert response.status_code == HTTPStatus.FOUND
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.IN_HAND
    assert "Enquiry opened." in commissioner_client.get(url).content.decode()
