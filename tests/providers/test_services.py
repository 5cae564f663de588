"""Listings: changes by an approved provider go live at once, except big price rises and moves into
regulated care, which wait for a commissioner."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from providers import services
from providers.exceptions import IllegalTransition, ListingRefused
from providers.models import ChangeRequestStatus, CheckType, ProviderStatus, ServiceChangeRequest, ServiceStatus
from providers.selectors import listed_services, service_is_listed
from tests.factories import CategoryFactory, ListedServiceFactory, NeighbourhoodFactory, ProviderCheckFactory

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


def test_listed_services_reflects_live_changes_at_once(service, owner):
    services.service_update(service=service, actor=owner, fields={"status": ServiceStatus.PAUSED})

    assert list(listed_services()) == []


def _service_post(form, **changes):
    data = {k: v for k, v in form.initial.items() if v is not None}
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
