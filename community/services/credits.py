"""Community credits: volunteers earn them for hours given to a group, once the group confirms; they spend them on
activities that accept them; groups redeem what they received with the council. One credit is one hour.

The ledger (CreditEntry) is append-only and every balance is its sum. Every write that takes credits away locks the
account row first (SELECT ... FOR UPDATE), reads the balance, and writes in the same transaction, so concurrent
spends queue and none can take a balance below zero; a database trigger refuses it too (community/sql/credits.sql).
Accounts are locked in one order (the one that pays, then the one that receives) so two transfers cannot deadlock.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from market.accounts.models import Role, User
from market.core.audit import audit_record
from market.core.numbers import whole_within
from providers.models import Provider, ProviderMembership, ProviderStatus, Service
from providers.selectors import service_is_listed

from ..exceptions import CreditsRefused
from ..models import (
    MAX_CREDITS_REDEEMED_AT_ONCE,
    MAX_CREDITS_SPENT_AT_ONCE,
    MAX_HOURS_A_DAY,
    Contribution,
    ContributionStatus,
    CreditAccount,
    CreditEntry,
    CreditKind,
)


def _account(*, user: User | None = None, provider: Provider | None = None) -> CreditAccount:
    """The holder's account, created on first use (a concurrent first use is settled by the unique holder)."""
    lookup = {"user": user} if user is not None else {"provider": provider}
    try:
        with transaction.atomic():
            account, _ = CreditAccount.objects.get_or_create(**lookup)
    except IntegrityError:
        account = CreditAccount.objects.get(**lookup)
    return account


def _locked(account: CreditAccount) -> CreditAccount:
    return CreditAccount.objects.select_for_update().get(pk=account.pk)


def _balance(account: CreditAccount) -> int:
    return CreditEntry.objects.filter(account=account).aggregate(total=Sum("credits"))["total"] or 0


def _is_member(user: User, provider: Provider) -> bool:
    return ProviderMembership.objects.filter(user=user, provider=provider).exists()


def _neighbourhood_id(provider: Provider) -> int | None:
    return provider.neighbourhoods.order_by("pk").values_list("pk", flat=True).first()


def contribution_claim(*, volunteer: User, provider: Provider, given_on: datetime.date, hours: int,
                       what: str) -> Contribution:
    """A volunteer says they gave `hours` to a group on a day; the group confirms it before any credit is earned."""
    what = what.strip()
    if not what:
        raise CreditsRefused("Say what you did, for example 'Served at the lunch club'.", field="what")
    if given_on > timezone.localdate():
        raise CreditsRefused("Enter a day that has happened: credits are for time already given.", field="given_on")
    if not whole_within(hours, 1, MAX_HOURS_A_DAY):
        raise CreditsRefused("A day has 24 hours: enter from 1 to 24.", field="hours")
    if provider.status != ProviderStatus.APPROVED:
        raise CreditsRefused("Choose a group that is listed.", field="provider")
    account = _account(user=volunteer)
    with transaction.atomic():
        _locked(account)  # one claim of this volunteer's at a time, so the day's total is checked once
        given = (Contribution.objects.filter(volunteer=volunteer, given_on=given_on)
                 .exclude(status=ContributionStatus.DECLINED).aggregate(total=Sum("hours"))["total"] or 0)
        if given + hours > MAX_HOURS_A_DAY:
            raise CreditsRefused(
                f"That makes {given + hours} hours on {given_on:%-d %B %Y}: a day has only 24 "
                f"(you have already given {given}).", field="hours")
        contribution = Contribution.objects.create(volunteer=volunteer, provider=provider, given_on=given_on,
                                                   hours=hours, what=what[:200])
        audit_record(action="credits.contribution_claimed", actor=volunteer, target=contribution,
                     summary=f"{volunteer} gave {hours} h to {provider}")
    return contribution


def contribution_confirm(*, contribution: Contribution, by: User) -> CreditEntry:
    """The group confirms the hours: the volunteer earns one credit an hour. A contribution earns once."""
    if not _is_member(by, contribution.provider):
        raise CreditsRefused("Only the group the time was given to can confirm it.")
    account = _account(user=contribution.volunteer)
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.status != ContributionStatus.CLAIMED:
            raise CreditsRefused(f"This contribution was already answered: {locked.get_status_display().lower()}. "
                                 "Nothing was changed.")
        locked.status, locked.answered_by, locked.answered_at = ContributionStatus.CONFIRMED, by, timezone.now()
        locked.save(update_fields=["status", "answered_by", "answered_at"])
        entry = CreditEntry.objects.create(
            account=account, kind=CreditKind.EARNED, credits=locked.hours, contribution=locked, actor=by,
            neighbourhood_id=_neighbourhood_id(locked.provider), note=locked.what)
        audit_record(action="credits.earned", actor=by, target=locked,
                     summary=f"{locked.provider} confirmed {locked.hours} h from {locked.volunteer}")
    return entry


def contribution_decline(*, contribution: Contribution, by: User) -> Contribution:
    if not _is_member(by, contribution.provider):
        raise CreditsRefused("Only the group the time was given to can answer it.")
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.status != ContributionStatus.CLAIMED:
            raise CreditsRefused("This contribution was already answered. Nothing was changed.")
        locked.status, locked.answered_by, locked.answered_at = ContributionStatus.DECLINED, by, timezone.now()
        locked.save(update_fields=["status", "answered_by", "answered_at"])
        audit_record(action="credits.contribution_declined", actor=by, target=locked,
                     summary=f"{locked.provider} did not confirm {locked.hours} h from {locked.volunteer}")
    return locked


def credits_spend(*, volunteer: User, service: Service, credits: int) -> uuid.UUID:
    """Spend credits on an activity that accepts them: taken from the volunteer, given to the group, atomically.
    Refused, with nothing changed, when the volunteer holds fewer credits."""
    if not whole_within(credits, 1, MAX_CREDITS_SPENT_AT_ONCE):
        raise CreditsRefused(f"Enter how many credits, from 1 to {MAX_CREDITS_SPENT_AT_ONCE:,}.", field="credits")
    if not service.accepts_credits or not service_is_listed(service):
        raise CreditsRefused("That activity does not take community credits.", field="service")
    payer = _account(user=volunteer)
    payee = _account(provider=service.provider)
    transfer = uuid.uuid4()
    with transaction.atomic():
        _locked(payer)
        held = _balance(payer)
        if held < credits:
            raise CreditsRefused(f"You have {held} credit{'s' if held != 1 else ''}, not enough to spend {credits}. "
                                 "Nothing was spent.", field="credits")
        neighbourhood_id = _neighbourhood_id(service.provider)
        CreditEntry.objects.create(account=payer, kind=CreditKind.SPENT, credits=-credits, service=service,
                                   transfer=transfer, actor=volunteer, neighbourhood_id=neighbourhood_id)
        CreditEntry.objects.create(account=payee, kind=CreditKind.RECEIVED, credits=credits, service=service,
                                   transfer=transfer, actor=volunteer, neighbourhood_id=neighbourhood_id)
        audit_record(action="credits.spent", actor=volunteer, target=service,
                     summary=f"{volunteer} spent {credits} credits on {service}", data={"transfer": str(transfer)})
    return transfer


def credits_redeem(*, provider: Provider, credits: int, by: User) -> CreditEntry:
    """The council pays a group for credits it received (recorded by a commissioner)."""
    if not by.has_role(Role.COMMISSIONER):
        raise CreditsRefused("Only the council can redeem a group's credits.")
    if not whole_within(credits, 1, MAX_CREDITS_REDEEMED_AT_ONCE):
        raise CreditsRefused(f"Enter how many credits, from 1 to {MAX_CREDITS_REDEEMED_AT_ONCE:,}.", field="credits")
    account = _account(provider=provider)
    with transaction.atomic():
        _locked(account)
        held = _balance(account)
        if held < credits:
            raise CreditsRefused(f"{provider} holds {held} credits, not {credits}. Nothing was redeemed.",
                                 field="credits")
        entry = CreditEntry.objects.create(account=account, kind=CreditKind.REDEEMED, credits=-credits, actor=by,
                                           neighbourhood_id=_neighbourhood_id(provider))
        audit_record(action="credits.redeemed", actor=by, target=provider,
                     summary=f"The council redeemed {credits} credits from {provider}")
    return entry
