"""Micro-providers, the people who work for them, their checks and their services (listings).

Whether a provider or a service may be shown publicly and booked is decided in one place:
`providers.selectors.listed_services()` / `provider_is_listed()`. Writes go through `providers.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When

from .storage import private_storage


class LegalForm(models.TextChoices):
    SOLE_TRADER = "sole_trader", "Sole trader"
    PARTNERSHIP = "partnership", "Partnership"
    COMPANY = "company", "Company"
    COOPERATIVE = "cooperative", "Co-operative"
    COMMUNITY_GROUP = "community_group", "Community group"
    CHARITY = "charity", "Charity"


class ProviderKind(models.TextChoices):
    """What kind of listing a provider is: the council decides which kinds of check apply to which (CheckType)."""

    MICRO_PROVIDER = "micro_provider", "Care and support provider"
    COMMUNITY_GROUP = "community_group", "Community group"


class DeliveryMode(models.TextChoices):
    """How a service is delivered: someone visits the person, or the person goes along to an activity."""

    AT_HOME = "at_home", "Visits at home"
    AT_VENUE = "at_venue", "An activity at a venue"


class ProviderStatus(models.TextChoices):
    DRAFT = "draft", "Signing up"
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    SUSPENDED = "suspended", "Suspended"


class Provider(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices)
    status = models.CharField(max_length=12, choices=ProviderStatus.choices, default=ProviderStatus.DRAFT)
    kind = models.CharField(
        max_length=20, choices=ProviderKind.choices, default=ProviderKind.MICRO_PROVIDER,
        help_text="A community group (unpaid, activities at a venue) is asked only for the checks the council "
        "applies to such groups, unless it also visits people at home.",
    )
    description = models.TextField(
        blank=True,
        max_length=4000,
        help_text="Your story: who you are, why you do this, and what people can expect.",
    )
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    vat_number = models.CharField(
        max_length=20, blank=True, help_text="Only if VAT registered: then invoices add VAT at the standard rate."
    )
    postcode = models.CharField(max_length=8, blank=True)
    neighbourhoods = models.ManyToManyField("places.Neighbourhood", related_name="providers", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProviderMembership", related_name="providers", blank=True
    )
    onboarding_step = models.PositiveSmallIntegerField(
        default=1, help_text="The furthest sign-up step reached, so sign-up can be resumed."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True, help_text="The commissioner's reason, shown to the provider.")
    cqc_exemption_reason = models.TextField(
        blank=True,
        help_text="Recorded by a commissioner: why this provider may offer regulated personal care without "
        "its own CQC registration (for example, working under a registered manager's umbrella).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    STAFF = "staff", "Staff"


class ProviderMembership(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_memberships")
    role = models.CharField(max_length=8, choices=MemberRole.choices, default=MemberRole.STAFF)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="membership_unique_pair")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.provider}"


class CheckType(models.Model):
    """A kind of check providers must (or may) evidence. Configured by commissioners (a Wagtail snippet)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_mandatory = models.BooleanField(
        default=False, help_text="Every provider needs a current, approved check of this type to be listed."
    )
    per_person = models.BooleanField(
        default=False, help_text="One check per person who delivers support (for example a DBS check)."
    )
    requires_amount = models.BooleanField(
        default=False, help_text="The evidence states an amount, for example insurance cover."
    )
    regulated_care_only = models.BooleanField(
        default=False,
        help_text="Needed only for regulated personal care (CQC); a recorded exemption also counts.",
    )
    venue_groups_need_it = models.BooleanField(
        default=False,
        help_text="Mandatory for community groups too, even when they only run activities at a venue (no visits "
        "at home). Unticked, such a group is not asked for it.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class CheckStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Verified"
    REJECTED = "rejected", "Not accepted"


def check_upload_to(instance: ProviderCheck, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:5]
    return f"checks/{instance.provider_id}/{uuid.uuid4().hex}{suffix}"


class ProviderCheck(models.Model):
    """Evidence of one check (one person's DBS, an insurance schedule...), and the commissioner's decision."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="checks")
    check_type = models.ForeignKey(CheckType, on_delete=models.PROTECT, related_name="checks")
    person_name = models.CharField(max_length=150, blank=True, help_text="For a check per person: whose check it is.")
    reference = models.CharField(max_length=80, help_text="The certificate, policy or registration number.")
    amount_pence = models.PositiveBigIntegerField(null=True, blank=True, help_text="For example insurance cover.")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty if it does not expire.")
    file = models.FileField(upload_to=check_upload_to, storage=private_storage, max_length=200)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Shown to the provider.")
    #: The days this check counts: from its issue date to its expiry (no end if it does not expire), once approved;
    #: no days otherwise. Computed by the database, the one definition of a "current" check: providers.selectors
    #: and the listing rule (providers/sql/listing.sql) only ask whether it contains a day.
    valid_during = models.GeneratedField(
        expression=Case(
            When(status="approved", then=Func(F("issued_on"), F("expires_on"), Value("[]"), function="daterange",
                                              output_field=DateRangeField())),
            default=Func(F("issued_on"), F("issued_on"), Value("()"), function="daterange",
                         output_field=DateRangeField()),  # empty
        ),
        output_field=DateRangeField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["check_type__sort_order", "-issued_on", "-id"]
        indexes = [models.Index(fields=["provider", "check_type", "status"], name="check_provider_type_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="check_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="check_decision_has_time",
            ),
        ]

    def __str__(self):
        who = f" ({self.person_name})" if self.person_name else ""
        return f"{self.check_type}{who} for {self.provider}"


class PriceUnit(models.TextChoices):
    PER_HOUR = "per_hour", "per hour"
    PER_SESSION = "per_session", "per session"
    PER_VISIT = "per_visit", "per visit"
    PER_DAY = "per_day", "per day"
    PER_ITEM = "per_item", "per item"
    FREE = "free", "free"


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    PAUSED = "paused", "Paused"


def _default_languages() -> list[str]:
    return ["English"]


class Service(models.Model):
    """One listing: what a provider offers, for how much, where and when."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, help_text="In plain language: what happens, and who it suits.")
    category = models.ForeignKey("taxonomy.Category", on_delete=models.PROTECT, related_name="services")
    needs = models.ManyToManyField("taxonomy.Need", related_name="services", blank=True)
    price_pence = models.PositiveBigIntegerField(help_text="In pence; 0 only for a free service.")
    unit = models.CharField(max_length=12, choices=PriceUnit.choices, default=PriceUnit.PER_HOUR)
    minimum_units = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(100)], help_text="The smallest booking, in units."
    )
    neighbourhoods = models.ManyToManyField("places.Neighbourhood", related_name="services", blank=True)
    travel_radius_km = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="How far you travel from your postcode, if not by neighbourhood.",
    )
    languages = ArrayField(models.CharField(max_length=40), default=_default_languages, blank=True)
    accessibility_notes = models.TextField(blank=True, max_length=2000)
    is_regulated_personal_care = models.BooleanField(default=False)
    council_budget_ok = models.BooleanField(default=True, verbose_name="Can be paid from a council-managed budget")
    photo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    photo_alt_text = models.CharField(
        max_length=200, blank=True, help_text="Describes the photo for someone who cannot see it."
    )
    status = models.CharField(max_length=8, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT)
    # An activity at a venue: the person goes along (community/ puts it on their plan); no visits are booked.
    delivery = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.AT_HOME)
    venue_name = models.CharField(max_length=120, blank=True, help_text="Where it happens, e.g. St John's Hall.")
    venue_address = models.CharField(max_length=200, blank=True, help_text="The venue's address (a public place).")
    venue_postcode = models.CharField(max_length=8, blank=True)
    schedule_note = models.CharField(
        max_length=200, blank=True, help_text="In words, e.g. 'Every Tuesday, 10am to 12 noon, not in August'."
    )
    come_along = models.TextField(
        blank=True, max_length=1000,
        help_text="What to expect the first time: who meets you, what to bring, whether to just turn up.",
    )
    booking_needed = models.BooleanField(
        default=False, help_text="Ticked: people must book; else they can just turn up."
    )
    accepts_credits = models.BooleanField(default=False, help_text="Community credits are accepted for it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider__name", "title"]
        indexes = [models.Index(fields=["status", "category"], name="service_status_category")]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery="at_home") | (Q(delivery="at_venue") & ~Q(venue_name="")),
                name="service_activity_has_venue",
            ),
            models.CheckConstraint(
                condition=(Q(unit="free") & Q(price_pence=0)) | (~Q(unit="free") & Q(price_pence__gt=0)),
                name="service_price_zero_iff_free",
            ),
            models.CheckConstraint(condition=Q(minimum_units__gte=1), name="service_minimum_units_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_activity(self) -> bool:
        """An activity at a venue: people go along; nothing is booked per visit."""
        return self.delivery == DeliveryMode.AT_VENUE


class ServiceAvailability(models.Model):
    """A weekly slot when the service is usually available (local time)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ],
    )
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name_plural = "service availability"
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="availability_starts_before_ends"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class AvailabilityException(models.Model):
    """A date that differs from the weekly pattern (usually a day off)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="availability_exceptions")
    date = models.DateField()
    is_available = models.BooleanField(default=False, help_text="Unticked: not available that day.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["service", "date"], name="availability_exception_unique_day")]

    def __str__(self):
        return f"{self.date}: {'available' if self.is_available else 'not available'}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ServiceChangeRequest(models.Model):
    """A listing change that needs a commissioner's approval before it goes live: a price rise above
    settings.MAX_UNREVIEWED_PRICE_RISE_PERCENT, or a move into a regulated personal-care category."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="change_requests")
    changes = models.JSONField(help_text="Proposed field values, e.g. {'price_pence': 2400}.")
    why_review = models.JSONField(default=list, blank=True, help_text="Why it needs approval (plain English).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="The commissioner's reason, shown to the provider.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="pending"),
                name="change_request_one_pending_per_service",
            ),
        ]

    def __str__(self):
        return f"Change to {self.service} ({self.get_status_display()})"
