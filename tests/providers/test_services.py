"""Listings: changes by an approved provider go live at once, except big price rises and moves into
regulated care, which wait for a commissioner."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from providers import services
from providers.exceptions import IllegalTransition, ListingRefused
from providers.models import (
    AvailabilityException,
    ChangeRequestStatus,
    CheckType,
    ProviderStatus,
    ServiceAvailability,
    ServiceChangeRequest,
    ServiceStatus,
)
from providers.selectors import listed_services, service_is_listed
from tests.factories import (
    CategoryFactory,
    ListedServiceFactory,
    NeighbourhoodFactory,
    ProviderCheckFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(owner, provider):
    return ListedServiceFactory(provider=provider, title="Companionship", price_pence=1750, unit="per_hour")


@pytest.fixture
def personal_care():
    return CategoryFactory(name="Personal care", is_regulated_personal_care=True)


@pytest.mark.parametrize(("new_price", "held"), [(1925, False), (1926, True), (1500, False)])
def test_a_price_rise_above_the_threshold_waits_for_approval(service, owner, new_price, held):
    # 10% of £17.50 is £1.75: £19.25 is exactly 10% (live at once), £19.26 is more (held).
    _, change = services.service_update(
        service=service, actor=owner, fields={"price_pence": new_price, "title": "Company and a cuppa"}
    )

    service.refresh_from_db()
    assert service.title == "Company and a cuppa"  # other changes are live at once
    if held:
        assert service.price_pence == 1750
        assert (change.status, change.changes) == (ChangeRequestStatus.PENDING, {"price_pence": 1926})
        assert change.why_review == ["The price goes up from £17.50 to £19.26, more than 10%."]
        assert service_is_listed(service) is True  # still listed at the old price
    else:
        assert (service.price_pence, change) == (new_price, None)


def test_the_threshold_is_a_setting(service, owner, settings):
    settings.MAX_UNREVIEWED_PRICE_RISE_PERCENT = 50

    _, change = services.service_update(service=service, actor=owner, fields={"price_pence": 2600})

    service.refresh_from_db()
    assert (service.price_pence, change) == (2600, None)


def test_a_draft_or_pending_provider_changes_prices_freely(service, owner, provider):
    provider.status = ProviderStatus.PENDING
    provider.save()

    _, change = services.service_update(service=service, actor=owner, fields={"price_pence": 5000})

    service.refresh_from_db()
    assert (service.price_pence, change) == (5000, None)


def test_moving_into_regulated_care_waits_and_the_commissioner_approves_it(service, owner, commissioner, personal_care):
    ProviderCheckFactory(
        provider=service.provider,
        check_type=CheckType.objects.get(slug="cqc-registration"),
        person_name="",
        expires_on=None,
    )

    _, change = services.service_update(service=service, actor=owner, fields={"category": personal_care})

    service.refresh_from_db()
    assert service.category.name == "Companionship"
    assert change.changes == {"category": personal_care.pk, "is_regulated_personal_care": True}
    assert change.why_review == ["It becomes regulated personal care."]

    services.change_request_approve(change_request=change, actor=commissioner, reason="CQC verified.")

    service.refresh_from_db()
    change.refresh_from_db()
    assert (service.category, service.is_regulated_personal_care) == (personal_care, True)
    assert (change.status, change.decided_by, change.reason) == (
        ChangeRequestStatus.APPROVED,
        commissioner,
        "CQC verified.",
    )
    assert service_is_listed(service) is True
    assert AuditEvent.objects.filter(action="service_change.approved", actor=commissioner).count() == 1


def test_approving_regulated_care_without_cqc_is_refused_and_changes_nothing(
    service, owner, commissioner, personal_care
):
    _, change = services.service_update(service=service, actor=owner, fields={"category": personal_care})

    with pytest.raises(ListingRefused, match="Verify the CQC registration"):
        services.change_request_approve(change_request=change, actor=commissioner)

    service.refresh_from_db()
    change.refresh_from_db()
    assert (service.category.name, service.is_regulated_personal_care) == ("Companionship", False)
    assert change.status == ChangeRequestStatus.PENDING
    assert not AuditEvent.objects.filter(action="service_change.approved").exists()


def test_a_rejected_change_keeps_the_old_values_and_cannot_be_decided_again(service, owner, commissioner):
    _, change = services.service_update(service=service, actor=owner, fields={"price_pence": 3000})

    services.change_request_reject(change_request=change, actor=commissioner, reason="Far above the fair rate.")

    service.refresh_from_db()
    assert service.price_pence == 1750
    with pytest.raises(IllegalTransition):
        services.change_request_approve(change_request=change, actor=commissioner)
    service.refresh_from_db()
    assert service.price_pence == 1750


def test_a_newer_change_replaces_the_pending_one(service, owner):
    _, first = services.service_update(service=service, actor=owner, fields={"price_pence": 3000})
    _, second = services.service_update(service=service, actor=owner, fields={"price_pence": 2500})

    first.refresh_from_db()
    assert (first.status, second.status, second.changes) == (
        ChangeRequestStatus.WITHDRAWN,
        ChangeRequestStatus.PENDING,
        {"price_pence": 2500},
    )
    assert ServiceChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count() == 1


def test_regulated_care_cannot_be_set_live_without_cqc(owner, provider, personal_care):
    with pytest.raises(ListingRefused, match="can only go live once your CQC registration is verified"):
        services.service_create(
            provider=provider,
            actor=owner,
            fields={
                "title": "Morning help",
                "description": "Washing and dressing.",
                "category": personal_care,
                "price_pence": 2200,
                "unit": "per_hour",
                "status": ServiceStatus.LIVE,
            },
        )

    draft = services.service_create(
        provider=provider,
        actor=owner,
        fields={
            "title": "Morning help",
            "description": "Washing and dressing.",
            "category": personal_care,
            "price_pence": 2200,
            "unit": "per_hour",
            "status": ServiceStatus.DRAFT,
        },
    )
    assert (draft.status, draft.is_regulated_personal_care) == (ServiceStatus.DRAFT, True)
    assert provider.services.count() == 1


def test_the_edit_page_saves_and_explains_what_waits(client, service, owner, provider):
    scholes = NeighbourhoodFactory(name="Scholes")
    client.force_login(owner)
    url = reverse("providers:service-edit", kwargs={"slug": provider.slug, "service_id": service.pk})
    form = client.get(url).context["form"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "price_pence": "25.00",
        "neighbourhoods": [scholes.pk],
        "languages": "English, Urdu",
    }
    data["council_budget_ok"] = "on"

    response = client.post(url, data, follow=True)

    service.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert "The price goes up from £17.50 to £25.00, more than 10%." in response.content.decode()
    assert (service.price_pence, service.languages, list(service.neighbourhoods.all())) == (
        1750,
        ["English", "Urdu"],
        [scholes],
    )


def test_weekly_times_and_days_off(client, service, owner, provider):
    client.force_login(owner)
    url = reverse("providers:service-availability", kwargs={"slug": provider.slug, "service_id": service.pk})

    client.post(url, {"add_slot": "", "slot-weekday": "0", "slot-starts_at": "09:00", "slot-ends_at": "12:00"})
    overlap = client.post(
        url, {"add_slot": "", "slot-weekday": "0", "slot-starts_at": "11:00", "slot-ends_at": "13:00"}
    )
    backwards = client.post(
        url, {"add_slot": "", "slot-weekday": "1", "slot-starts_at": "15:00", "slot-ends_at": "14:00"}
    )
    client.post(url, {"add_exception": "", "exception-date": "2099-12-25", "exception-note": "Christmas"})

    assert overlap.context["slot_form"].errors["starts_at"] == ["This overlaps a time you already have on that day."]
    assert backwards.context["slot_form"].errors["ends_at"] == ["The end time must be after the start time."]
    assert [str(slot) for slot in service.availability.all()] == ["Monday 09:00-12:00"]
    assert [(str(e.date), e.is_available, e.note) for e in service.availability_exceptions.all()] == [
        ("2099-12-25", False, "Christmas")
    ]


def test_a_weekly_time_and_a_day_off_are_removed_but_not_through_another_service(client, service, owner, provider):
    # Given a weekly time and a day off on this service, and a weekly time on another of the provider's services
    slot = ServiceAvailability.objects.create(
        service=service, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(12)
    )
    day_off = AvailabilityException.objects.create(service=service, date=datetime.date(2099, 12, 25), note="Christmas")
    other = ServiceFactory(provider=provider, title="Gardening", category=service.category)
    other_slot = ServiceAvailability.objects.create(
        service=other, weekday=1, starts_at=datetime.time(9), ends_at=datetime.time(12)
    )
    client.force_login(owner)
    page = reverse("providers:service-availability", kwargs={"slug": provider.slug, "service_id": service.pk})

    def remove(name, **ids):
        return client.post(reverse(name, kwargs={"slug": provider.slug, "service_id": service.pk, **ids}))

    # When the other service's time is asked for through this service, then a missing day off
    wrong_service = remove("providers:availability-remove", slot_id=other_slot.pk)
    no_such_day = remove("providers:exception-remove", exception_id=day_off.pk + 1000)

    # Then nothing is removed
    assert (wrong_service.status_code, no_such_day.status_code) == (HTTPStatus.NOT_FOUND, HTTPStatus.NOT_FOUND)
    assert ServiceAvailability.objects.count() == 2
    assert AvailabilityException.objects.count() == 1
    assert not AuditEvent.objects.exists()

    # When this service's own time and day off are removed
    slot_removed = remove("providers:availability-remove", slot_id=slot.pk)
    day_removed = remove("providers:exception-remove", exception_id=day_off.pk)

    # Then they are gone, each recorded, and the other service keeps its time
    assert (slot_removed["Location"], day_removed["Location"]) == (page, page)
    assert list(ServiceAvailability.objects.all()) == [other_slot]
    assert not AvailabilityException.objects.exists()
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "summary")) == [
        ("service.availability_removed", "Companionship: Monday 09:00-12:00"),
        ("service.availability_exception_removed", "Companionship: 2099-12-25: not available"),
    ]


def test_a_commissioner_decides_a_held_change_on_the_review_page(
    service, owner, provider, commissioner, verified_client
):
    _, change = services.service_update(service=service, actor=owner, fields={"price_pence": 2500})
    client = verified_client(commissioner)
    url = reverse("verification:change-decide", kwargs={"change_id": change.pk})

    # A rejection without a reason is refused on the page, and changes nothing
    refused = client.post(url, {f"change-{change.pk}-decision": "reject", f"change-{change.pk}-reason": " "})

    change.refresh_from_db()
    service.refresh_from_db()
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.context["change_requests"][0].form.errors == {"reason": ["Give a reason: the provider will see it."]}
    assert (change.status, service.price_pence) == (ChangeRequestStatus.PENDING, 1750)

    # An approval puts the held price live
    approved = client.post(url, {f"change-{change.pk}-decision": "approve", f"change-{change.pk}-reason": ""})

    change.refresh_from_db()
    service.refresh_from_db()
    assert approved["Location"] == reverse("verification:provider", kwargs={"slug": provider.slug})
    assert (change.status, change.decided_by, service.price_pence) == (ChangeRequestStatus.APPROVED, commissioner, 2500)


def test_listed_services_reflects_live_changes_at_once(service, owner):
    services.service_update(service=service, actor=owner, fields={"status": ServiceStatus.PAUSED})

    assert list(listed_services()) == []


def _service_post(form, **changes):
    # As a browser posts it: each initial value as its field shows it (a price of 1750 pence shows as 17.50).
    data = {k: form.fields[k].prepare_value(v) if k in form.fields else v for k, v in form.initial.items()
            if v is not None}
    data["council_budget_ok"] = "on"
    data.update(changes)
    return data


def test_a_photo_with_a_description_is_added_and_replaced(client, service, owner, provider, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.images import get_image_model

    from .conftest import png_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(owner)
    url = reverse("providers:service-edit", kwargs={"slug": provider.slug, "service_id": service.pk})

    def post(**changes):
        return client.post(url, _service_post(client.get(url).context["form"], **changes))

    no_alt = post(photo_file=SimpleUploadedFile("jo.png", png_bytes()))
    assert no_alt.context["form"].errors["photo_alt_text"] == ["Describe the photo for someone who cannot see it."]
    pdf = post(photo_file=SimpleUploadedFile("jo.png", b"%PDF-1.4 nope"), photo_alt_text="Jo")
    assert pdf.context["form"].errors["photo_file"] == ["The photo must be a JPEG or PNG."]
    service.refresh_from_db()
    assert (service.photo, get_image_model().objects.count()) == (None, 0)

    post(photo_file=SimpleUploadedFile("jo.png", png_bytes()), photo_alt_text="Jo and Ken playing dominoes")
    service.refresh_from_db()
    first = service.photo
    assert (first.title, first.width, service.photo_alt_text) == (
        "Jo and Ken playing dominoes",
        4,
        "Jo and Ken playing dominoes",
    )
    assert first.collection.name == f"Provider: {provider.slug}"
    assert 'alt="Jo and Ken playing dominoes"' in client.get(url).content.decode()

    post(remove_photo="on")
    service.refresh_from_db()
    assert (service.photo, service.photo_alt_text, get_image_model().objects.count()) == (None, "", 0)
