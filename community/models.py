"""Community connections (issue 15): what matters to a person, introductions, going along to activities, the
person's plan, community credits, and volunteering and equipment posts.

Writes go through `community.services`, reads through `community.selectors`. The credits ledger is append-only
(a database trigger refuses edits and deletes, community/sql/credits.sql); balances are derived from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from market.core.money import MAX_PRICE_POUNDS


class WhatMatters(models.Model):
    """What matters to a person, recorded with them in their own words: strengths, not deficits. Seen by the person,
    their supporters (with consent to view) and their coordinators."""

    person = models.OneToOneField("accounts.Person", on_delete=models.PROTECT, related_name="what_matters_record")
    story = models.TextField("Their story", blank=True, max_length=4000)
    interests = models.TextField("What they enjoy and are interested in", blank=True, max_length=2000)
    gifts = models.TextField("Their gifts: what they are good at and could share", blank=True, max_length=2000)
    people = models.TextField("The people around them", blank=True, max_length=2000)
    goals = models.TextField("What they want to achieve, in their words", blank=True, max_length=2000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"What matters to {self.person}"


class IntroductionStatus(models.TextChoices):
    OFFERED = "offered", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Introduction(models.Model):
    """A coordinator introduces a person to a service, activity or group, with a note; the person accepts or
    declines. An accepted free activity goes on their plan; an accepted paid service leads to an order."""

    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="introductions")
    service = models.ForeignKey("providers.Service", on_delete=models.PROTECT, related_name="introductions")
    note = models.TextField(max_length=2000, help_text="Why the coordinator thinks it suits them.")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.OFFERED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"], condition=Q(status="offered"), name="introduction_one_open_per_service"
            ),
            models.CheckConstraint(
                condition=Q(status="offered") | Q(answered_at__isnull=False), name="introduction_answer_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.person} introduced to {self.service}"


class Participation(models.Model):
    """A person goes along to an activity: it is on their plan. No visits and no order; a free one costs nothing.
    The price per session is a snapshot taken when they joined."""

    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="participations")
    service = models.ForeignKey("providers.Service", on_delete=models.PROTECT, related_name="participations")
    sessions_per_week = models.PositiveSmallIntegerField(default=1)
    price_per_session_pence = models.PositiveBigIntegerField(default=0)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    introduction = models.OneToOneField(
        Introduction, null=True, blank=True, on_delete=models.PROTECT, related_name="participation"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"], condition=Q(ended_on__isnull=True), name="participation_one_current"
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=14), name="participation_sessions_sane"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="participation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} goes to {self.service}"

    @property
    def weekly_cost_pence(self) -> int:
        return self.sessions_per_week * self.price_per_session_pence


class PlanSettings(models.Model):
    """What a person's plan is measured against: the council's indicative weekly amount (when there is no budget)
    and, where support replaced a care package, that package and its weekly cost."""

    person = models.OneToOneField("accounts.Person", on_delete=models.PROTECT, related_name="plan_settings")
    indicative_weekly_pence = models.PositiveBigIntegerField(null=True, blank=True)
    replaced_package = models.CharField(max_length=200, blank=True)
    replaced_weekly_pence = models.PositiveBigIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Plan settings of {self.person}"


class PlanPurchase(models.Model):
    """A one-off purchase in the plan: boots, a season ticket, a course fee."""

    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="plan_purchases")
    description = models.CharField(max_length=200)
    amount_pence = models.PositiveBigIntegerField()
    bought_on = models.DateField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bought_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="purchase_amount_positive")]

    def __str__(self):
        return self.description


class PlanSnapshot(models.Model):
    """The plan as agreed on a day (its lines and weekly total), so the next plan can show what changed."""

    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="plan_snapshots")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField(help_text="[{'key': ..., 'label': ..., 'weekly_pence': ...}]")
    weekly_total_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-taken_at", "-pk"]

    def __str__(self):
        return f"Plan of {self.person} agreed {self.taken_at:%Y-%m-%d}"


# --- Community credits -----------------------------------------------------------------------------------------


class CreditAccount(models.Model):
    """Who holds community credits: a volunteer (a user) or a group (a provider). The balance is never stored: it is
    the sum of the account's ledger entries. Spends lock this row first."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_account"
    )
    provider = models.OneToOneField(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_account"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(provider__isnull=True))
                | (Q(user__isnull=True) & Q(provider__isnull=False)),
                name="credit_account_one_holder",
            ),
        ]

    def __str__(self):
        return f"Credits of {self.user or self.provider}"


class ContributionStatus(models.TextChoices):
    CLAIMED = "claimed", "Waiting for the group to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Not confirmed"


#: The most hours one person can give on one day, all their contributions together.
MAX_HOURS_A_DAY = 24
#: The most credits spent on an activity, or redeemed from a group by the council, at once.
MAX_CREDITS_SPENT_AT_ONCE = 1_000
MAX_CREDITS_REDEEMED_AT_ONCE = 100_000
#: The most a plan's one-off purchase may cost, and a weekly amount a plan is measured against, in pounds.
MAX_PURCHASE_POUNDS = MAX_PRICE_POUNDS
MAX_WEEKLY_POUNDS = 10_000


class Contribution(models.Model):
    """Hours a volunteer gave to a group on a day. Credits are earned only when the group confirms it."""

    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="contributions")
    given_on = models.DateField()
    hours = models.PositiveSmallIntegerField()
    what = models.CharField(max_length=200, help_text="What they did, e.g. 'Served at the lunch club'.")
    status = models.CharField(max_length=10, choices=ContributionStatus.choices, default=ContributionStatus.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1, hours__lte=MAX_HOURS_A_DAY), name="contribution_hours_in_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.hours} h by {self.volunteer} for {self.provider} on {self.given_on}"


class CreditKind(models.TextChoices):
    EARNED = "earned", "Earned by volunteering"
    SPENT = "spent", "Spent on an activity"
    RECEIVED = "received", "Received for an activity"
    REDEEMED = "redeemed", "Redeemed with the council"


class CreditEntry(models.Model):
    """One movement of credits on one account (append-only). `credits` is signed: earned and received add, spent and
    redeemed take away. A spend is two entries (the volunteer's, the group's) with the same `transfer` id."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=CreditKind.choices)
    credits = models.IntegerField()
    contribution = models.OneToOneField(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entry"
    )
    service = models.ForeignKey(
        "providers.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    transfer = models.UUIDField(null=True, blank=True, db_index=True)
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Where it happened (the group's first neighbourhood), for commissioners' totals.",
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "credit entries"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CreditKind.values), name="credit_kind_known"),
            models.CheckConstraint(
                condition=(Q(kind__in=["earned", "received"]) & Q(credits__gt=0))
                | (Q(kind__in=["spent", "redeemed"]) & Q(credits__lt=0)),
                name="credit_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="earned") | Q(contribution__isnull=False), name="credit_earned_from_contribution"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.credits}"


# --- Volunteering and equipment ----------------------------------------------------------------------------------


class PostKind(models.TextChoices):
    VOLUNTEERS_WANTED = "volunteers_wanted", "Volunteers wanted"
    OFFER_TO_HELP = "offer_to_help", "Offer to help"
    EQUIPMENT_WANTED = "equipment_wanted", "Equipment wanted"
    EQUIPMENT_OFFERED = "equipment_offered", "Equipment offered"


class PostStatus(models.TextChoices):
    HELD = "held", "Held for moderation"
    PUBLISHED = "published", "Published"
    MATCHED = "matched", "Matched"
    DONE = "done", "Done"
    REMOVED = "removed", "Removed by the council"


class CommunityPost(models.Model):
    """A request or offer of volunteering or equipment. Shown publicly once published; a post whose text holds a
    phone number, an email address or a street address is held for the council to moderate. The area is a
    neighbourhood, never an address."""

    kind = models.CharField(max_length=20, choices=PostKind.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=2000, help_text="What it involves; for equipment, what it is and its state.")
    when = models.CharField(max_length=120, blank=True, help_text="For volunteering: when, e.g. 'Tuesday mornings'.")
    neighbourhood = models.ForeignKey("places.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_posts")
    provider = models.ForeignKey("providers.Provider", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="community_posts", help_text="The group posting it, if any.")
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.PUBLISHED)
    held_because = models.CharField(max_length=200, blank=True)
    matched_with = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PostKind.values), name="post_kind_known"),
            models.CheckConstraint(condition=~Q(status="held") | ~Q(held_because=""), name="post_held_has_reason"),
        ]

    def __str__(self):
        return self.title
