"""A storefront page presents a listed provider; an unlisted provider's storefront is not shown."""

from __future__ import annotations

import json
import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.storefronts import storefront_ensure
from providers.models import CheckType, ProviderCheck, ServiceAvailability
from tests.factories import NeedFactory, ProviderCheckFactory


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_listed_provider_storefront_shows_services_badges_and_structured_data(client, listed):
    service = listed(title="Afternoon walks", price_pence=1850, unit="per_hour",
                     provider__name="Dave's Walks", provider__slug="daves-walks", provider__phone="01942 111222")
    service.needs.set([NeedFactory(name="Getting out")])
    ServiceAvailability.objects.create(service=service, weekday=0, starts_at="09:00", ends_at="12:00")
    page = storefront_ensure(provider=service.provider)
    page.search_description = "Walks & chats around Wigan <with> Dave."
    page.save_revision().publish()

    response = client.get("/providers/daves-walks/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h1>Dave&#x27;s Walks</h1>" in html
    assert "£18.50 per hour" in html
    assert "Enhanced DBS check: verified" in html
    assert "Public liability insurance: verified" in html
    assert "Monday: 9am to 12 noon" in html
    assert "Getting out" in html
    assert '<meta name="description" content="Walks &amp; chats around Wigan &lt;with&gt; Dave.">' in html
    data = _json_ld(html)
    assert data["@type"] == "LocalBusiness"
    assert data["name"] == "Dave's Walks"
    assert data["telephone"] == "01942 111222"
    assert data["url"] == "http://testserver/providers/daves-walks/"
    offer = data["hasOfferCatalog"]["itemListElement"][0]
    assert offer["itemOffered"] == {
        "@type": "Service", "name": "Afternoon walks", "description": service.description,
        "serviceType": "Companionship", "areaServed": [{"@type": "Place", "name": "Wigan Centre"}],
    }
    assert offer["priceSpecification"]["price"] == "18.50"
    assert offer["priceSpecification"]["unitCode"] == "HUR"
    assert "<with>" not in html.split("application/ld+json")[1].split("</script>")[0]


def test_only_listed_services_are_shown_on_a_storefront(client, listed):
    shown = listed(title="Shown service", provider__slug="two-services")
    listed(title="Paused service", provider=shown.provider, status="paused")
    storefront_ensure(provider=shown.provider)

    html = client.get("/providers/two-services/").content.decode()

    assert "Shown service" in html
    assert "Paused service" not in html


@pytest.mark.parametrize("make_unlisted", ["suspended", "pending", "expired_check"])
def test_unlisted_provider_storefront_is_not_shown_even_when_published(client, listed, make_unlisted):
    service = listed(title="Secret service", provider__slug="gone-quiet")
    page = storefront_ensure(provider=service.provider)
    provider = service.provider
    if make_unlisted == "expired_check":
        dbs = CheckType.objects.get(slug="dbs-enhanced")
        ProviderCheck.objects.filter(provider=provider, check_type=dbs).update(
            issued_on="2020-01-01", expires_on="2021-01-01"
        )
    else:
        provider.status = make_unlisted
        provider.save()

    response = client.get("/providers/gone-quiet/")

    assert page.live is True
    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "This provider is not available at the moment" in html
    assert "Secret service" not in html
    assert "application/ld+json" not in html


def _storefront_queries(client, url) -> int:
    cache.clear()  # measure a full render, not the cached page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return len(queries)


def test_storefront_query_count_does_not_grow_with_services(client, listed, borough):
    small = listed(title="Small 0", provider__slug="small")
    big = listed(title="Big 0", provider__slug="big")
    for n in range(1, 3):
        s = listed(title=f"Small {n}", provider=small.provider)
        ServiceAvailability.objects.create(service=s, weekday=n % 7, starts_at="09:00", ends_at="12:00")
    for n in range(1, 30):
        s = listed(title=f"Big {n}", provider=big.provider, neighbourhoods=["centre", "pemberton"])
        s.needs.set([NeedFactory(name=f"Need {n % 4}")])
        ServiceAvailability.objects.create(service=s, weekday=n % 7, starts_at="09:00", ends_at="12:00")
    storefront_ensure(provider=small.provider)
    storefront_ensure(provider=big.provider)
    _storefront_queries(client, "/providers/small/")  # warm Wagtail's site-root cache
    _storefront_queries(client, "/providers/big/")

    small_count = _storefront_queries(client, "/providers/small/")
    big_count = _storefront_queries(client, "/providers/big/")

    assert big_count == small_count == STOREFRONT_QUERIES
    assert client.get("/providers/big/").content.decode().count('class="card" id="service-') == 30


#: A full render with a cold cache: Wagtail's routing (site, site root paths, pages, view restrictions), the
#: listing check, the provider and its areas, listed services with their prefetches, current checks, gallery,
#: its visible reviews (the orders area's provider_reviews tag: one query), the typical local prices of its kinds of
#: support (one query) and the council's reference rates for them (one query).
STOREFRONT_QUERIES = 23


def test_anonymous_storefront_is_reused_but_hidden_at_once_when_unlisted(client, listed, django_assert_num_queries):
    service = listed(title="Cached service", provider__slug="cached-shop")
    storefront_ensure(provider=service.provider)
    first = client.get("/providers/cached-shop/")

    type(service).objects.filter(pk=service.pk).update(title="Renamed service")
    with django_assert_num_queries(1):  # the reused page's state and the listing rule, in one statement
        again = client.get("/providers/cached-shop/")
    provider = service.provider
    provider.status = "suspended"
    provider.save()
    hidden = client.get("/providers/cached-shop/")

    assert first.content == again.content
    assert "Cached service" in again.content.decode()
    assert hidden.status_code == HTTPStatus.NOT_FOUND
    assert "Cached service" not in hidden.content.decode()


def test_signed_in_visitors_get_a_fresh_page(client, listed):
    from tests.factories import UserFactory

    service = listed(title="Before", provider__slug="fresh-shop")
    storefront_ensure(provider=service.provider)
    client.get("/providers/fresh-shop/")
    type(service).objects.filter(pk=service.pk).update(title="After")
    client.force_login(UserFactory())

    html = client.get("/providers/fresh-shop/").content.decode()

    assert "After" in html
    assert "Sign out" in html


def test_gallery_photos_have_alt_text_and_cost_the_same_queries_for_one_or_three(client, listed):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from cms.models import ProviderPageGalleryImage

    one = storefront_ensure(provider=listed(title="One photo", provider__slug="one-photo").provider)
    three = storefront_ensure(provider=listed(title="Three photos", provider__slug="three-photos").provider)
    for page, count in ((one, 1), (three, 3)):
        for n in range(count):
            image = Image.objects.create(title=f"Photo {n}", file=get_test_image_file(filename=f"p{page.pk}-{n}.png"))
            ProviderPageGalleryImage.objects.create(page=page, image=image, alt_text=f"Jo and Ken in the garden {n}")
    _storefront_queries(client, "/providers/one-photo/")  # first render makes the renditions
    _storefront_queries(client, "/providers/three-photos/")

    one_count = _storefront_queries(client, "/providers/one-photo/")
    three_count = _storefront_queries(client, "/providers/three-photos/")

    assert one_count == three_count
    html = client.get("/providers/three-photos/").content.decode()
    assert html.count('alt="Jo and Ken in the garden') == 3


def test_reused_storefront_is_byte_for_byte_what_wagtail_renders(client, listed, django_assert_num_queries):
    service = listed(title="Same page", provider__slug="same-page", provider__name="Same & Co")
    ServiceAvailability.objects.create(service=service, weekday=2, starts_at="10:00", ends_at="14:00")
    storefront_ensure(provider=service.provider)

    rendered = client.get("/providers/same-page/")  # nothing kept yet: Wagtail routes, renders and keeps it
    with django_assert_num_queries(1):
        reused = client.get("/providers/same-page/")
    cache.clear()
    rendered_again = client.get("/providers/same-page/")

    assert rendered.status_code == reused.status_code == HTTPStatus.OK
    assert reused.content == rendered.content == rendered_again.content
    assert reused["Content-Type"] == rendered["Content-Type"] == "text/html; charset=utf-8"
    html = reused.content.decode()
    assert _json_ld(html)["url"] == "http://testserver/providers/same-page/"
    assert "<h1>Same &amp; Co</h1>" in html


@pytest.mark.parametrize("change", ["suspended", "expired_check", "unpublished", "view_restriction"])
def test_a_kept_storefront_is_never_served_once_the_page_or_provider_may_not_be(client, listed, change):
    from wagtail.models import PageViewRestriction

    service = listed(title="Kept service", provider__slug="kept-shop")
    page = storefront_ensure(provider=service.provider)
    assert client.get("/providers/kept-shop/").status_code == HTTPStatus.OK  # rendered and kept
    if change == "suspended":
        service.provider.status = "suspended"
        service.provider.save()
    elif change == "expired_check":
        dbs = CheckType.objects.get(slug="dbs-enhanced")
        ProviderCheck.objects.filter(provider=service.provider, check_type=dbs).update(
            issued_on="2020-01-01", expires_on="2021-01-01"
        )
    elif change == "unpublished":
        page.unpublish()
    else:
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    response = client.get("/providers/kept-shop/")

    assert "Kept service" not in response.content.decode()
    expected = {"view_restriction": HTTPStatus.FOUND}.get(change, HTTPStatus.NOT_FOUND)
    assert response.status_code == expected


def test_a_republished_storefront_is_rendered_afresh_not_reused(client, listed):
    service = listed(title="Old story", provider__slug="new-story")
    page = storefront_ensure(provider=service.provider)
    client.get("/providers/new-story/")
    page.story = "<p>Our brand new story.</p>"
    page.save_revision().publish()

    html = client.get("/providers/new-story/").content.decode()

    assert "Our brand new story." in html


def test_signed_in_visitors_never_get_the_anonymous_page(client, listed):
    from tests.factories import UserFactory

    service = listed(title="Shared", provider__slug="own-header")
    storefront_ensure(provider=service.provider)
    anonymous = client.get("/providers/own-header/").content.decode()
    client.force_login(UserFactory())

    signed_in = client.get("/providers/own-header/").content.decode()
    client.logout()
    anonymous_again = client.get("/providers/own-header/").content.decode()

    assert "Sign out" not in anonymous
    assert "Sign out" in signed_in
    assert anonymous_again == anonymous


def test_personal_care_is_named_once_on_a_storefront(client, listed, personal_care):
    # Issue 18, item 8: not "Personal care (personal care, regulated by the CQC)".
    care = listed(title="Help getting up", category=personal_care, provider__slug="morning-help")
    ProviderCheckFactory(provider=care.provider, check_type=CheckType.objects.get(slug="cqc-registration"))
    storefront_ensure(provider=care.provider)

    html = client.get("/providers/morning-help/").content.decode()

    assert "<dt>Kind of support</dt><dd>Personal care (regulated by the CQC)</dd>" in html
    assert "(personal care, regulated" not in html
