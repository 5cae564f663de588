import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.accounts.models import User
from market.core.models import AuditEvent
from tests.factories import PASSWORD, CommissionerFactory, HolderUserFactory

SIGN_IN = reverse("accounts:sign-in")


def sign_in(client, email, password=PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_holder_signs_in_with_email_in_any_case(client, db):
    user = HolderUserFactory(email="margaret@example.org")
    response = sign_in(client, "Margaret@Example.ORG")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).context["user"] == user


def test_unknown_email_gets_a_clear_message_and_changes_nothing(client, db):
    users_before = User.objects.count()
    response = sign_in(client, "nobody@example.org")
    assert response.status_code == HTTPStatus.OK
    assert "Enter the email address and password for your account" in response.content.decode()
    assert response.context["form"].errors["__all__"]
    assert User.objects.count() == users_before
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_throttled(client, db, settings):
    user = HolderUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user.email, "wrong-password")

    # Even the right password is refused while locked out, with a page that says what to do.
    response = sign_in(client, user.email)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many tries" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_with_a_working_link(client, db, send_outbox):
    user = HolderUserFactory(email="dave@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": "dave@example.org"})
    assert response.status_code == HTTPStatus.FOUND
    assert send_outbox().sent >= 1
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    new_password = "a-brand-new-password-9"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == HTTPStatus.FOUND
    assert mail.outbox == []


def test_commissioner_must_set_up_a_second_factor_first(client, db):
    commissioner = CommissionerFactory()
    response = sign_in(client, commissioner.email)
    assert response.status_code == HTTPStatus.FOUND

    # Every page, the admin included, sends them to the second factor until it is passed.
    for path in (reverse("accounts:dashboard"), "/admin/"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("accounts:second-factor")
    response = client.get(reverse("accounts:second-factor"))
    assert response["Location"] == reverse("accounts:second-factor-setup")

    page = client.get(reverse("accounts:second-factor-setup"))
    assert page.status_code == HTTPStatus.OK
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=commissioner, confirmed=False)

    response = client.post(reverse("accounts:second-factor-setup"), {"token": current_code(device)})
    assert response.status_code == HTTPStatus.FOUND
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.OK


def test_setting_up_the_second_factor_is_recorded_and_a_wrong_code_confirms_nothing(client, db):
    commissioner = CommissionerFactory()
    sign_in(client, commissioner.email)
    client.get(reverse("accounts:second-factor-setup"))
    device = TOTPDevice.objects.get(user=commissioner, confirmed=False)
    wrong = "000000" if current_code(device) != "000000" else "111111"

    refused = client.post(reverse("accounts:second-factor-setup"), {"token": wrong})

    device.refresh_from_db()
    assert refused.status_code == HTTPStatus.OK
    assert refused.context["form"].errors == {
        "token": ["That code did not match. Scan the code again, then type the newest code."]
    }
    assert not device.confirmed
    assert not AuditEvent.objects.filter(action="user.second_factor_set_up").exists()
    # Asking for the page again keeps the same device (the QR code already scanned stays valid)
    client.get(reverse("accounts:second-factor-setup"))
    assert list(TOTPDevice.objects.filter(user=commissioner).values_list("pk", flat=True)) == [device.pk]
    device.throttle_reset()  # django-otp makes the next try after a wrong code wait a second; a person would

    client.post(reverse("accounts:second-factor-setup"), {"token": current_code(device)})

    device.refresh_from_db()
    assert device.confirmed
    event = AuditEvent.objects.get(action="user.second_factor_set_up")
    assert (event.actor, event.object_id) == (commissioner, str(commissioner.pk))


@pytest.mark.parametrize(
    ("code", "message"),
    [("abcdef", "The code is made of numbers only"), ("000000", "That code did not match")],
)
def test_a_wrong_second_factor_code_is_refused(client, db, code, message):
    commissioner = CommissionerFactory()
    device = TOTPDevice.objects.create(user=commissioner, name="phone", confirmed=True)
    sign_in(client, commissioner.email)
    if current_code(device) == code:
        pytest.skip("the random key produced this exact code")  # one chance in a million

    response = client.post(reverse("accounts:second-factor"), {"token": code})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.FOUND


def test_commissioner_with_the_right_code_reaches_the_admin(client, db):
    commissioner = CommissionerFactory()
    device = TOTPDevice.objects.create(user=commissioner, name="phone", confirmed=True)
    from django.contrib.auth.models import Permission

    commissioner.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in(client, commissioner.email)
    response = client.post(reverse("accounts:second-factor"), {"token": current_code(device)})
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_a_holder_needs_no_second_factor(client, db):
    user = HolderUserFactory()
    sign_in(client, user.email)
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.OK


def test_anonymous_admin_visit_goes_to_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(SIGN_IN)


def test_sign_out_returns_to_the_home_page(client, db):
    user = HolderUserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
