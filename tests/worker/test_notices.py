"""Every email is also a notice on the recipient's notices page; a person may choose notices only (no emails), or
one email a day or a week gathering them (digests)."""

import re
from http import HTTPStatus

from django.core import mail
from django.urls import reverse

from market.accounts.models import EmailFrequency
from market.outbox.models import Email, Notice
from market.outbox.services import outbox_enqueue, outbox_send_due


def test_an_email_is_also_a_notice_and_notices_only_means_no_email(db, holder, other_holder):
    other_holder.user.emails_wanted = False
    other_holder.user.save()

    outbox_enqueue(to=[holder.user.email, other_holder.user.email, "no-account@example.org"],
                   subject="Your visit tomorrow", body="At 10:00.", key="visit-tomorrow:1")
    outbox_enqueue(to=[holder.user.email], subject="Your visit tomorrow", body="At 10:00.", key="visit-tomorrow:1")
    outbox_send_due()

    assert sorted(Notice.objects.values_list("user__email", flat=True)) == sorted([holder.user.email,
                                                                                  other_holder.user.email])
    assert [sorted(message.to) for message in mail.outbox] == [sorted([holder.user.email, "no-account@example.org"])]
    assert Email.objects.count() == 1


def test_the_notices_page_lists_marks_read_and_keeps_the_choice(client, db, holder):
    outbox_enqueue(to=[holder.user.email], subject="A visit tomorrow", body="With Jo at 10:00.")
    client.force_login(holder.user)
    assert "1 new" in client.get(reverse("accounts:dashboard")).content.decode()

    page = client.get(reverse("notices:list")).content.decode()
    assert "New:</strong> A visit tomorrow" in page and "With Jo at 10:00." in page
    assert "New:</strong>" not in client.get(reverse("notices:list")).content.decode()  # read now

    refused = client.post(reverse("notices:list"), {"how": "hourly"})
    assert refused.status_code == HTTPStatus.OK and "Select a valid choice" in refused.content.decode()
    holder.user.refresh_from_db()
    assert (holder.user.emails_wanted, holder.user.email_frequency) == (True, EmailFrequency.AS_IT_HAPPENS)

    client.post(reverse("notices:list"), {"how": "weekly"})
    holder.user.refresh_from_db()
    assert (holder.user.emails_wanted, holder.user.email_frequency) == (True, EmailFrequency.WEEKLY)
    assert re.search(r'value="weekly"[^>]*checked', client.get(reverse("notices:list")).content.decode())

    client.post(reverse("notices:list"), {"how": "none"})
    holder.user.refresh_from_db()
    assert holder.user.emails_wanted is False


def test_the_notices_page_needs_a_sign_in(client, db):
    assert client.get(reverse("notices:list")).status_code == HTTPStatus.FOUND
