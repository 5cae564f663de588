"""Micro-providers and the people who work for them. Checks, services and storefronts build on these."""

from django.conf import settings
from django.db import models


class LegalForm(models.TextChoices):
    SOLE_TRADER = "sole_trader", "Sole trader"
    PARTNERSHIP = "partnership", "Partnership"
    COMPANY = "company", "Company"
    COOPERATIVE = "cooperative", "Co-operative"
    COMMUNITY_GROUP = "community_group", "Community group"
    CHARITY = "charity", "Charity"


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
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    neighbourhoods = models.ManyToManyField("places.Neighbourhood", related_name="providers", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProviderMembership", related_name="providers", blank=True
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
