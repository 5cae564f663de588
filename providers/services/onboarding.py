"""Signing up a provider and the guided sign-up steps (about, contact, neighbourhoods, first service). Asking for
approval at the end is a status change: `verification.provider_submit`."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from market.accounts.models import Role, User
from market.accounts.services import user_grant_roles
from market.core.audit import audit_record
from market.places.postcodes import normalise_postcode

from ..exceptions import Refused
from ..models import LegalForm, MemberRole, Provider, ProviderKind, ProviderMembership, ProviderStatus
from ._shared import _full_clean, _require_member

#: The sign-up steps, in order. `Provider.onboarding_step` is the furthest one reached.
ONBOARDING_STEPS = {1: "about", 2: "contact", 3: "neighbourhoods", 4: "service", 5: "submit"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:110] or "provider"
    slug, n = base, 2
    while Provider.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def kind_for(legal_form: str) -> str:
    """A community group signs up as one; anyone else as a care and support provider."""
    return ProviderKind.COMMUNITY_GROUP if legal_form == LegalForm.COMMUNITY_GROUP else ProviderKind.MICRO_PROVIDER


def provider_start(*, user: User, name: str, legal_form: str, description: str = "") -> Provider:
    """A signed-in person starts signing up a provider: a draft provider with them as its owner."""
    name = name.strip()
    if not name:
        raise Refused("Enter the name people will know you by.", field="name")
    if legal_form not in LegalForm.values:
        raise Refused("Choose how your organisation is set up.", field="legal_form")
    with transaction.atomic():
        provider = Provider(
            name=name,
            slug=_unique_slug(name),
            legal_form=legal_form,
            kind=kind_for(legal_form),
            description=description.strip(),
            email=user.email,
            status=ProviderStatus.DRAFT,
            onboarding_step=2,
        )
        _full_clean(provider)
        provider.save()
        ProviderMembership.objects.create(provider=provider, user=user, role=MemberRole.OWNER)
        if not user.has_role(Role.PROVIDER_MEMBER):
            user_grant_roles(user=user, roles=[Role.PROVIDER_MEMBER], granted_by=user)
        audit_record(
            action="provider.started",
            actor=user,
            target=provider,
            summary=f"{user} started signing up {provider}",
            data={"legal_form": legal_form},
        )
    return provider


def provider_sign_up(
    *, email: str, password: str, full_name: str, name: str, legal_form: str, description: str = ""
) -> Provider:
    """Someone new signs up a provider: their own login (role provider member), the draft provider and
    their owner membership, all or nothing."""
    email = email.strip().lower()
    full_name = full_name.strip()
    if not full_name:
        raise Refused("Enter your full name.", field="full_name")
    if User.objects.filter(email__iexact=email).exists():
        raise Refused(
            "There is already an account with that email address. Sign in first, then sign up your provider.",
            field="email",
        )
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise Refused(" ".join(error.messages), field="password") from error
    with transaction.atomic():
        try:
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, roles=[Role.PROVIDER_MEMBER]
            )
        except IntegrityError as error:  # someone took the email a moment ago
            raise Refused("There is already an account with that email address.", field="email") from error
        audit_record(action="user.signed_up", actor=user, target=user, summary=f"{user} signed up as a provider")
        return provider_start(user=user, name=name, legal_form=legal_form, description=description)


def _advance(provider: Provider, step: int) -> None:
    if provider.onboarding_step < step:
        provider.onboarding_step = step


def provider_update_about(*, provider: Provider, actor: User, name: str, legal_form: str, description: str) -> Provider:
    _require_member(provider, actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.name, provider.legal_form, provider.description = name.strip(), legal_form, description.strip()
        provider.kind = kind_for(legal_form)
        _advance(provider, 2)
        _full_clean(provider)
        provider.save()
        audit_record(action="provider.details_changed", actor=actor, target=provider, data={"step": "about"})
    return provider


def provider_update_contact(
    *, provider: Provider, actor: User, email: str, phone: str, website: str, postcode: str
) -> Provider:
    _require_member(provider, actor)
    if postcode.strip():
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError as error:
            raise Refused(error.messages[0], field="postcode") from error
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.email, provider.phone, provider.website, provider.postcode = (
            email.strip(),
            phone.strip(),
            website.strip(),
            postcode.strip(),
        )
        _advance(provider, 3)
        _full_clean(provider)
        provider.save()
        audit_record(action="provider.details_changed", actor=actor, target=provider, data={"step": "contact"})
    return provider


def provider_set_neighbourhoods(*, provider: Provider, actor: User, neighbourhoods: Iterable) -> Provider:
    _require_member(provider, actor)
    neighbourhoods = list(neighbourhoods)
    if not neighbourhoods:
        raise Refused("Choose at least one neighbourhood you cover.", field="neighbourhoods")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.neighbourhoods.set(neighbourhoods)
        _advance(provider, 4)
        provider.save(update_fields=["onboarding_step"])
        audit_record(
            action="provider.details_changed",
            actor=actor,
            target=provider,
            data={"step": "neighbourhoods", "neighbourhoods": sorted(n.slug for n in neighbourhoods)},
        )
    return provider


def provider_mark_step(*, provider: Provider, actor: User, step: int) -> Provider:
    _require_member(provider, actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _advance(provider, step)
        provider.save(update_fields=["onboarding_step"])
    return provider
