"""Personal budgets and their append-only ledger. Money is integer pence (docs/adr/0001-money.md).

A budget's balance is never stored: it is derived from `LedgerEntry` rows, which the database refuses to
update or delete (a trigger), and which a second trigger refuses, at commit, if they would break the period rule
or take the budget's committed money below zero. Writes go through `orders.services`, which lock the budget row
first (docs/adr/0002-budget-locking.md).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from market.accounts.models import FundingRoute


class BudgetPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    ANNUAL = "annual", "Yearly"


#: The longest plan the service accepts, in periods (about three years of weekly periods).
MAX_PERIODS = 160


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def period_start(*, period: str, starts_on: datetime.date, day: datetime.date) -> datetime.date:
    """The first day of the budget period that contains `day` (periods are counted from `starts_on`)."""
    if day < starts_on:
        raise ValueError("The day is before the budget starts.")
    if period == BudgetPeriod.WEEKLY:
        return starts_on + datetime.timedelta(days=(day - starts_on).days // 7 * 7)
    if period == BudgetPeriod.FOUR_WEEKLY:
        return starts_on + datetime.timedelta(days=(day - starts_on).days // 28 * 28)
    years = day.year - starts_on.year
    start = _add_years(starts_on, years)
    return start if start <= day else _add_years(starts_on, years - 1)


def period_starts(*, period: str, starts_on: datetime.date, ends_on: datetime.date) -> list[datetime.date]:
    """The first day of every period from `starts_on` up to and including the one containing `ends_on`."""
    starts = []
    current = starts_on
    index = 0
    while current <= ends_on:
        starts.append(current)
        index += 1
        if period == BudgetPeriod.WEEKLY:
            current = starts_on + datetime.timedelta(days=7 * index)
        elif period == BudgetPeriod.FOUR_WEEKLY:
            current = starts_on + datetime.timedelta(days=28 * index)
        else:
            current = _add_years(starts_on, index)
        if index > MAX_PERIODS:
            break
    return starts


def period_end(*, period: str, start: datetime.date) -> datetime.date:
    """The last day of the period beginning on `start`."""
    if period == BudgetPeriod.WEEKLY:
        return start + datetime.timedelta(days=6)
    if period == BudgetPeriod.FOUR_WEEKLY:
        return start + datetime.timedelta(days=27)
    return _add_years(start, 1) - datetime.timedelta(days=1)


class Budget(models.Model):
    """A personal budget: an amount per period, for a plan's dates, for the kinds of support the plan allows."""

    holder = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="budgets")
    name = models.CharField(max_length=80, default="Personal budget")
    funding_route = models.CharField(max_length=32, choices=FundingRoute.choices)
    council = models.CharField(
        max_length=120, blank=True, help_text="The council that funds it (empty if self-funded)."
    )
    isf_provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="held_budgets",
        verbose_name="individual service fund held by",
    )
    period = models.CharField(max_length=12, choices=BudgetPeriod.choices)
    amount_pence = models.PositiveBigIntegerField(help_text="Money allocated each period, in pence.")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day of the support plan (usually its review date).")
    allowed_categories = models.ManyToManyField(
        "taxonomy.Category", related_name="budgets", blank=True,
        help_text="Kinds of support the plan allows. Empty means any kind (self-funded budgets).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["holder__full_name", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="budget_ends_after_start"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="budget_amount_positive"),
            models.CheckConstraint(
                condition=Q(funding_route__in=FundingRoute.values), name="budget_funding_route_known"
            ),
            models.CheckConstraint(condition=Q(period__in=BudgetPeriod.values), name="budget_period_known"),
            models.CheckConstraint(
                condition=(Q(funding_route=FundingRoute.INDIVIDUAL_SERVICE_FUND) & Q(isf_provider__isnull=False))
                | (~Q(funding_route=FundingRoute.INDIVIDUAL_SERVICE_FUND) & Q(isf_provider__isnull=True)),
                name="budget_isf_has_provider",
            ),
            models.CheckConstraint(
                condition=Q(funding_route=FundingRoute.SELF_FUNDED) | ~Q(council=""),
                name="budget_council_named_unless_self_funded",
            ),
        ]

    def __str__(self):
        return f"{self.name} for {self.holder} ({self.get_funding_route_display()})"

    def period_start_for(self, day: datetime.date) -> datetime.date:
        return period_start(period=self.period, starts_on=self.starts_on, day=day)

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", "Allocated"
    RESERVATION = "reservation", "Reserved for an order"
    RELEASE = "release", "Released back"
    SPEND = "spend", "Spent on a visit"
    REFUND = "refund", "Refunded"
    TOP_UP = "top_up", "Top-up"
    ADJUSTMENT = "adjustment", "Adjustment"


#: What one ledger entry of each kind does to its budget's money, as a multiple of its amount: (allocated,
#: committed, spent). The one definition of the ledger's arithmetic (docs/adr/0001-money.md); `left` is always
#: allocated - committed - spent. The database derives four columns of every entry from it (LedgerEntry's
#: generated fields), and everything else sums those columns: the selectors, the per-period totals trigger, and
#: through the totals the affordability rule and the overspend guard (orders/sql/ledger.sql).
ENTRY_EFFECTS: dict[str, tuple[int, int, int]] = {
    EntryKind.ALLOCATION: (1, 0, 0),
    EntryKind.TOP_UP: (1, 0, 0),
    EntryKind.ADJUSTMENT: (1, 0, 0),  # signed: + adds money, - takes it away
    EntryKind.RESERVATION: (0, 1, 0),  # promised to an order
    EntryKind.RELEASE: (0, -1, 0),  # given back by an order
    EntryKind.SPEND: (0, -1, 1),  # a confirmed visit: from committed to spent ("left" does not move)
    EntryKind.REFUND: (0, 0, -1),
}


def _effect(sign_of) -> models.Case:
    """`amount_pence` times each kind's sign for one measure (a column's generation expression)."""
    kinds_by_sign = defaultdict(list)
    for kind, effect in ENTRY_EFFECTS.items():
        if sign_of(effect):
            kinds_by_sign[sign_of(effect)].append(str(kind))
    return models.Case(
        *(models.When(kind__in=sorted(kinds),
                     then=models.F("amount_pence") if sign == 1 else models.F("amount_pence") * sign)
          for sign, kinds in sorted(kinds_by_sign.items(), reverse=True)),
        default=models.Value(0),
        output_field=models.BigIntegerField(),
    )


def _generated(sign_of, help_text: str) -> models.GeneratedField:
    return models.GeneratedField(expression=_effect(sign_of), output_field=models.BigIntegerField(), db_persist=True,
                                 help_text=help_text)


class LedgerEntry(models.Model):
    """One movement of a budget's money. Never updated or deleted: corrections are new entries.

    `amount_pence` is positive for every kind except an adjustment, which is signed (+ adds money,
    - takes it away). What it does to the budget's allocated, committed, spent and left money is computed by
    the database from ENTRY_EFFECTS (the four generated columns), never in Python.
    """

    # No index of its own: ledger_budget_period (budget, period_starts_on) serves every lookup by budget.
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="ledger", db_index=False)
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount_pence = models.BigIntegerField()
    effective_on = models.DateField(help_text="The day the money is for (a visit's day, a period's first day).")
    period_starts_on = models.DateField(help_text="The first day of the budget period it counts in.")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    visit = models.ForeignKey(
        "orders.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who did it; empty for the system (an automatic confirmation).",
    )
    on_behalf_of = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    allocated_pence = _generated(lambda effect: effect[0], "What it adds to the money allocated.")
    committed_pence = _generated(lambda effect: effect[1], "What it adds to the money promised to orders.")
    spent_pence = _generated(lambda effect: effect[2], "What it adds to the money spent.")
    left_pence = _generated(lambda effect: effect[0] - effect[1] - effect[2],
                            "What it adds to the money left (allocated - committed - spent).")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["budget", "period_starts_on"], name="ledger_budget_period")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="ledger_kind_known"),
            models.CheckConstraint(
                condition=(Q(kind=EntryKind.ADJUSTMENT) & ~Q(amount_pence=0))
                | (~Q(kind=EntryKind.ADJUSTMENT) & Q(amount_pence__gt=0)),
                name="ledger_amount_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EntryKind.ADJUSTMENT, EntryKind.REFUND, EntryKind.TOP_UP]) | ~Q(reason=""),
                name="ledger_adjustment_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.SPEND) | Q(order__isnull=False), name="ledger_spend_has_order"
            ),
            models.CheckConstraint(
                condition=Q(period_starts_on__lte=models.F("effective_on")), name="ledger_period_contains_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_pence}p on {self.effective_on}"


class BudgetPeriodTotal(models.Model):
    """A budget period's running totals, derived from the ledger by the database itself.

    Never written by application code: an AFTER INSERT trigger on the ledger adds every new entry's amounts
    here in the same statement (the ledger is append-only, so insert is the only change there is), and a
    trigger refuses any other write. The ledger stays the source of truth (statements are still summed from
    it, and tests reconcile the two); this row only lets the placement check and the overspend guard read
    one row per period instead of summing every entry (docs/adr/0002-budget-locking.md).

    left_pence and committed_pence are the sums of the period's entries' own generated columns of those names
    (left is the period's own money left: negative if it used savings from earlier periods).
    """

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="period_totals", db_index=False)
    period_starts_on = models.DateField()
    left_pence = models.BigIntegerField()
    committed_pence = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "period_starts_on"], name="budget_period_total_one_per_period"),
        ]

    def __str__(self):
        return f"{self.budget_id} from {self.period_starts_on}: {self.left_pence}p left"


class DirectPaymentAgreement(models.Model):
    """The council's recorded agreement that a direct payment may pay a close relative who lives in the
    same household (Care and Support (Direct Payments) Regulations 2014: only if the council is satisfied
    it is necessary). Without one, such an order is refused."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="relative_agreements")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=80, help_text="The council's decision reference.")
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "provider"], name="dp_agreement_one_per_provider"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.budget} may pay {self.provider}"
