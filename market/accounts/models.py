"""People, roles and the consents that let a supporter act for a budget holder."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    BUDGET_HOLDER = "budget_holder", "Budget holder"
    SUPPORTER = "supporter", "Supporter"
    COORDINATOR = "coordinator", "Coordinator"
    PROVIDER_MEMBER = "provider_member", "Provider member"
    COMMISSIONER = "commissioner", "Commissioner"
    FINANCE = "finance", "Council finance staff"
    PLATFORM_ADMIN = "platform_admin", "Platform admin"


#: Roles whose sign-in needs a second factor (a TOTP code) as well as a password.
SECOND_FACTOR_ROLES = frozenset({Role.COMMISSIONER, Role.FINANCE, Role.PLATFORM_ADMIN})
#: Roles that work for the council and whose every look at a person's record is logged.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.COMMISSIONER, Role.FINANCE, Role.PLATFORM_ADMIN})


class FundingRoute(models.TextChoices):
    COUNCIL_MANAGED = "council_managed", "Council-managed account"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    INDIVIDUAL_SERVICE_FUND = "individual_service_fund", "Individual service fund"
    SELF_FUNDED = "self_funded", "Self-funded"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("roles", [Role.PLATFORM_ADMIN])
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class EmailFrequency(models.TextChoices):
    AS_IT_HAPPENS = "as_it_happens", "Each as it happens"
    DAILY = "daily", "One email a day"
    WEEKLY = "weekly", "One email a week"


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. What they may do comes from their roles and from relationships
    (a consent, a caseload, a provider membership), checked in `market.accounts.permissions`."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    roles = ArrayField(
        models.CharField(max_length=32, choices=Role.choices), default=list, blank=True
    )
    emails_wanted = models.BooleanField(
        default=True, help_text="Whether news comes by email as well as on the notices page (the person chooses)."
    )
    email_frequency = models.CharField(
        max_length=16, choices=EmailFrequency.choices, default=EmailFrequency.AS_IT_HAPPENS,
        help_text="How often emails come: each as it happens, or gathered into one a day or one a week.",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the site administration (Wagtail admin)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=Q(roles__contained_by=Role.values), name="user_roles_known"
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def get_role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]

    @property
    def needs_second_factor(self) -> bool:
        return self.is_superuser or bool(SECOND_FACTOR_ROLES.intersection(self.roles))

    @property
    def is_council_staff(self) -> bool:
        return bool(STAFF_ROLES.intersection(self.roles))


class Person(models.Model):
    """A budget holder's record: who they are, where they live, and what matters to them.

    Special-category data under UK GDPR: open it only through `market.accounts.permissions`, which
    logs every look by council staff.
    """

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="person",
        help_text="Their own sign-in, if they have one. Many holders are helped by a supporter instead.",
    )
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    funding_route = models.CharField(max_length=32, choices=FundingRoute.choices)
    what_matters = models.TextField(
        blank=True, help_text="What matters to the person, in their words, from the 'different conversation'."
    )
    communication_needs = models.CharField(
        max_length=200, blank=True, help_text="For example: easy read, large print, BSL, a phone call first."
    )
    coordinators = models.ManyToManyField(
        User, through="CaseloadAssignment", related_name="caseload", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.full_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name


class CaseloadAssignment(models.Model):
    """A coordinator working with a person: it lets them act for that person."""

    coordinator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="caseload_assignments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="caseload_assignments")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coordinator", "person"], name="caseload_unique_pair"),
        ]

    def __str__(self):
        return f"{self.coordinator} works with {self.person}"


class ConsentScope(models.TextChoices):
    VIEW = "view", "See their budget, orders and visits"
    ORDER = "order", "Book and cancel support"
    CONFIRM_VISITS = "confirm_visits", "Confirm or dispute visits"


class ConsentQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))


class Consent(models.Model):
    """A holder's (or their coordinator's) explicit, revocable permission for a supporter to act for them."""

    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    supporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="consents_held")
    relationship = models.CharField(max_length=80, help_text="For example: daughter, neighbour, appointee.")
    scopes = ArrayField(models.CharField(max_length=20, choices=ConsentScope.choices))
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="consents_granted")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="consents_revoked"
    )
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=ConsentScope.values) & Q(scopes__len__gt=0),
                name="consent_scopes_known_and_present",
            ),
            models.UniqueConstraint(
                fields=["holder", "supporter"],
                condition=Q(revoked_at__isnull=True),
                name="consent_one_unrevoked_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="consent_revocation_has_author",
            ),
        ]

    def __str__(self):
        return f"{self.supporter} for {self.holder}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def scope_labels(self) -> list[str]:
        return [ConsentScope(scope).label for scope in self.scopes]

    def allows(self, scope: ConsentScope, at=None) -> bool:
        return self.is_active(at) and scope in self.scopes
