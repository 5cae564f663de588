"""Messages on an order, reviews after completion, and concerns (safeguarding goes to the top at once)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from market.core.models import AuditEvent
from orders.exceptions import OrderRefused
from orders.models import Concern, OrderMessage, OrderStatus, Review
from orders.selectors import concern_queue, provider_rating, reviews_for_provider
from orders.services import (
    concern_raise,
    order_message_post,
    review_hide,
    review_reply,
    review_write,
)
from tests import factories

from .helpers import make_service, place
from .test_visits import booked_order, deliver


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _completed(holder, budget):
    from orders.services import visit_confirm

    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    visit_confirm(visit=visit, user=holder.user)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    return order, service


def test_a_message_is_emailed_to_the_other_side(
    holder, budget, service, django_capture_on_commit_callbacks, send_outbox
):
    order = place(user=holder.user, budget=budget, service=service)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_message_post(order=order, author=holder.user, body="Could you bring the paper?")
    with django_capture_on_commit_callbacks(execute=True):
        order_message_post(order=order, author=service.owner, body="Of course.")

    assert list(order.messages.values_list("author_side", "body")) == [
        ("holder", "Could you bring the paper?"), ("provider", "Of course.")]
    assert send_outbox().sent >= 1
    assert service.owner.email in mail.outbox[0].to and "a new message" in mail.outbox[0].subject
    assert mail.outbox[1].to == [holder.user.email]


@pytest.mark.parametrize("who", ["stranger", "other_provider"])
def test_strangers_cannot_post_messages(holder, budget, service, who):
    order = place(user=holder.user, budget=budget, service=service)
    user = factories.HolderUserFactory() if who == "stranger" else factories.ProviderMembershipFactory().user
    with pytest.raises(OrderRefused):
        order_message_post(order=order, author=user, body="Hello")
    assert OrderMessage.objects.count() == 0


def test_a_completed_order_is_reviewed_once_and_the_provider_replies_once(holder, budget):
    order, service = _completed(holder, budget)
    review = review_write(order=order, user=holder.user, rating=5, body="Jo was wonderful.")
    with pytest.raises(OrderRefused, match="already been reviewed"):
        review_write(order=order, user=holder.user, rating=1)

    review_reply(review=review, by=service.owner, body="Thank you, Margaret!")
    with pytest.raises(OrderRefused, match="can be given once"):
        review_reply(review=review, by=service.owner, body="Edited reply")

    review.refresh_from_db()
    assert (review.rating, review.reply) == (5, "Thank you, Margaret!")
    assert Review.objects.count() == 1
    assert provider_rating(service.provider) == {"count": 1, "average": 5.0}


def test_an_order_that_is_not_completed_cannot_be_reviewed(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    with pytest.raises(OrderRefused, match="once it is completed"):
        review_write(order=order, user=holder.user, rating=4)
    assert Review.objects.count() == 0


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_is_one_to_five(holder, budget, rating):
    order, _service = _completed(holder, budget)
    with pytest.raises(OrderRefused, match="from 1 to 5"):
        review_write(order=order, user=holder.user, rating=rating)
    assert Review.objects.count() == 0


def test_a_commissioner_hides_a_review_with_a_reason(holder, budget, commissioner):
    order, service = _completed(holder, budget)
    review = review_write(order=order, user=holder.user, rating=1, body="Names and phone numbers...")
    with pytest.raises(OrderRefused, match="Only a commissioner"):
        review_hide(review=review, by=service.owner, reason="I don't like it")
    with pytest.raises(OrderRefused, match="Give a reason"):
        review_hide(review=review, by=commissioner, reason="")
    assert list(reviews_for_provider(service.provider)) == [review]

    review_hide(review=review, by=commissioner, reason="Contains personal details")

    assert list(reviews_for_provider(service.provider)) == []
    review.refresh_from_db()
    assert (review.hidden_by, review.hidden_reason) == (commissioner, "Contains personal details")


def test_a_safeguarding_concern_goes_to_the_top_of_the_queue_and_commissioners_are_told(
    client, holder, budget, service, commissioner, django_capture_on_commit_callbacks, send_outbox):
    other = factories.ProviderFactory()
    mail.outbox.clear()
    earlier = concern_raise(user=factories.HolderUserFactory(), provider=other, body="Late every time",
                            is_safeguarding=False)
    send_outbox()
    # Commissioners hear of every concern, with a link to it...
    assert [(m.to, m.subject.split("] ", 1)[-1]) for m in mail.outbox] == [
        ([commissioner.email], f"New concern about {other}")]
    assert mail.outbox[0].body.endswith(f"{reverse('orders:concern', args=[earlier.pk])}\n")
    client.force_login(holder.user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:concern-raise", args=[service.provider.pk]),
                               {"body": "I saw bruises on my neighbour's arm.", "is_safeguarding": "on"})

    assert response.status_code == HTTPStatus.OK
    assert "gone straight to the council's commissioners as <strong>urgent</strong>" in response.content.decode()
    queue = list(concern_queue())
    assert [(c.provider, c.is_safeguarding) for c in queue] == [(service.provider, True), (other, False)]
    assert send_outbox().sent >= 1
    assert [m.to for m in mail.outbox] == [[commissioner.email]]
    assert "URGENT" in mail.outbox[0].subject  # ...and of a safeguarding one as urgent
    assert reverse("orders:concern", args=[queue[0].pk]) in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="concern.raised").count() == 2


def test_a_concern_about_a_visit_needs_to_have_been_part_of_it(holder, budget):
    _order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    with pytest.raises(OrderRefused, match="a visit you were part of"):
        concern_raise(user=factories.HolderUserFactory(), provider=service.provider, visit=visit, body="x",
                      is_safeguarding=False)
    concern_raise(user=holder.user, provider=service.provider, visit=visit, body="They smelt of drink",
                  is_safeguarding=True)
    assert Concern.objects.get().visit == visit


def test_the_pages_for_messages_reviews_and_the_queue(client, holder, budget, verified_client, commissioner):
    order, service = _completed(holder, budget)
    client.force_login(holder.user)
    sent = client.post(reverse("orders:message", args=[order.pk]), {"body": "Thanks!"})
    reviewed = client.post(reverse("orders:review", args=[order.pk]), {"rating": "4", "body": "Good"})
    assert sent.status_code == reviewed.status_code == HTTPStatus.FOUND
    page = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert "Thanks!" in page and "4 out of 5" in page

    client.force_login(service.owner)
    review = Review.objects.get()
    replied = client.post(reverse("orders:review-reply", args=[review.pk]), {"body": "Cheers"})
    assert replied.status_code == HTTPStatus.FOUND

    queue = verified_client(commissioner).get(reverse("orders:concerns"))
    assert queue.status_code == HTTPStatus.OK
    assert reverse("orders:review-hide", args=[review.pk]) in queue.content.decode()


def test_the_storefront_reviews_block_shows_visible_reviews_only(holder, budget, commissioner):
    from django.template import Context, Template

    order, service = _completed(holder, budget)
    review = review_write(order=order, user=holder.user, rating=4, body="Always on time.")
    review_reply(review=review, by=service.owner, body="Thank you!")
    template = Template("{% load reviews %}{% provider_reviews provider %}")

    shown = template.render(Context({"provider": service.provider}))
    assert "Rated 4.0 out of 5 from 1 review" in shown
    assert "Always on time." in shown and "replied:</strong> Thank you!" in shown

    review_hide(review=review, by=commissioner, reason="Test")
    hidden = template.render(Context({"provider": service.provider}))
    assert "Always on time." not in hidden
    assert "No reviews yet." in hidden
