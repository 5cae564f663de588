"""A person who chose one email a day or a week gets their notices gathered into one digest, once, when it is due;
urgent messages still go at once; a person who goes back to 'each time' gets what was waiting."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from market.accounts.models import EmailFrequency
from market.outbox.digests import digests_send_due
from market.outbox.models import Email, Notice
from market.outbox.services import email_preference_set, outbox_enqueue, outbox_send_due

LONDON = ZoneInfo("Europe/London")
# A Wednesday and the Monday after it, in winter (London is on GMT).
WEDNESDAY_6AM = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=LONDON)
WEDNESDAY_8AM = WEDNESDAY_6AM.replace(hour=8)
THURSDAY_8AM = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=LONDON)
MONDAY_6AM = datetime.datetime(2026, 12, 7, 6, 0, tzinfo=LONDON)
MONDAY_8AM = MONDAY_6AM.replace(hour=8)


def _choose(user, frequency):
    email_preference_set(user=user, emails_wanted=True, frequency=frequency)
    user.refresh_from_db()


def _tell(user, subject, **kwargs):
    outbox_enqueue(to=[user.email], subject=subject, body=f"About {subject.lower()}.", **kwargs)


def test_a_daily_digest_gathers_the_days_notices_into_one_email_once(db, holder):
    _choose(holder.user, EmailFrequency.DAILY)
    _tell(holder.user, "Visit tomorrow")
    _tell(holder.user, "Order accepted")
    assert Email.objects.count() == 0  # nothing of its own: both wait for the digest
    assert Notice.objects.filter(user=holder.user, awaiting_digest=True).count() == 2

    assert digests_send_due(now=WEDNESDAY_6AM) == 0  # not due before 7am
    assert digests_send_due(now=WEDNESDAY_8AM) == 1
    assert digests_send_due(now=WEDNESDAY_8AM) == 0  # made once
    outbox_send_due()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [holder.user.email]
    assert "Your daily summary: 2 notices" in message.subject
    assert message.body.index("Visit tomorrow") < message.body.index("Order accepted")
    assert "About order accepted." in message.body and "/account/notices/" in message.body

    _tell(holder.user, "Budget low")  # after today's digest: waits for tomorrow's
    assert digests_send_due(now=WEDNESDAY_8AM.replace(hour=20)) == 0
    assert digests_send_due(now=THURSDAY_8AM) == 1
    outbox_send_due()
    assert len(mail.outbox) == 2 and "1 notice" in mail.outbox[1].subject and "Budget low" in mail.outbox[1].body


def test_a_weekly_digest_is_due_from_monday_morning(db, holder):
    _choose(holder.user, EmailFrequency.WEEKLY)
    _tell(holder.user, "Statement for November")
    assert digests_send_due(now=WEDNESDAY_8AM) == 1  # the first of this week (none sent yet this week)
    _tell(holder.user, "Visit tomorrow")
    assert digests_send_due(now=THURSDAY_8AM) == 0  # this week's went on Wednesday
    assert digests_send_due(now=MONDAY_6AM) == 0
    assert digests_send_due(now=MONDAY_8AM) == 1
    outbox_send_due()
    assert [("weekly summary" in m.subject, m.to) for m in mail.outbox] == [(True, [holder.user.email])] * 2


def test_urgent_messages_and_people_who_want_each_email_are_not_held_back(db, holder, other_holder):
    _choose(holder.user, EmailFrequency.DAILY)
    _tell(holder.user, "Safeguarding concern", urgent=True)
    _tell(other_holder.user, "Visit tomorrow")  # chose nothing: each email as it happens
    outbox_send_due()
    assert sorted(m.subject for m in mail.outbox) == ["Safeguarding concern", "Visit tomorrow"]
    assert not Notice.objects.filter(awaiting_digest=True).exists()


def test_going_back_to_each_email_sends_what_was_waiting_and_notices_only_sends_nothing(db, holder, other_holder):
    _choose(holder.user, EmailFrequency.WEEKLY)
    _choose(other_holder.user, EmailFrequency.WEEKLY)
    _tell(holder.user, "Visit tomorrow")
    _tell(other_holder.user, "Visit tomorrow")
    _choose(holder.user, EmailFrequency.AS_IT_HAPPENS)
    email_preference_set(user=other_holder.user, emails_wanted=False)

    assert digests_send_due(now=MONDAY_6AM) == 1
    outbox_send_due()
    assert [m.to for m in mail.outbox] == [[holder.user.email]]
    assert not Notice.objects.filter(awaiting_digest=True).exists()
    assert Notice.objects.filter(user=other_holder.user).count() == 1  # still on the notices page


@pytest.mark.django_db(transaction=True)
def test_two_workers_making_digests_at_once_send_each_person_one(holder, other_holder):
    for user in (holder.user, other_holder.user):
        _choose(user, EmailFrequency.DAILY)
        for n in range(3):
            _tell(user, f"Notice {n}")

    def run():
        try:
            return digests_send_due(now=WEDNESDAY_8AM)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = sum(pool.map(lambda _: run(), range(2)))
    assert made == 2
    assert sorted(Email.objects.values_list("to", flat=True)) == sorted([[holder.user.email],
                                                                        [other_holder.user.email]])
    assert not Notice.objects.filter(awaiting_digest=True).exists()
