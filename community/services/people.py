"""A coordinator's caseload, what matters to a person, and introductions (issue 15)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.accounts.models import CaseloadAssignment, ConsentScope, FundingRoute, Person, Role, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record
from market.places.models import Neighbourhood
from market.places.postcodes import normalise_postcode
from providers.models import Service
from providers.selectors import service_is_listed

from ..exceptions import CommunityRefused
from ..models import Introduction, IntroductionStatus, WhatMatters
from .activities import activity_join

WHAT_MATTERS_FIELDS = ("story", "interests", "gifts", "people", "goals")


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise CommunityRefused(messages[0], field=None if field == "__all__" else field) from None


def _require_coordinator_of(user: User, person: Person) -> None:
    if capacity_for(user, person, ConsentScope.VIEW) is not Capacity.COORDINATOR:
        raise CommunityRefused("Only a coordinator with this person in their caseload can do that.")


def caseload_person_add(
    *, coordinator: User, full_name: str, preferred_name: str = "", postcode: str = "",
    funding_route: str = FundingRoute.INDIVIDUAL_SERVICE_FUND, neighbourhood: Neighbourhood | None = None,
) -> Person:
    """A coordinator starts a record for someone she is working with, and they join her caseload."""
    if not coordinator.has_role(Role.COORDINATOR):
        raise CommunityRefused("Only coordinators keep a caseload.")
    full_name = full_name.strip()
    if not full_name:
        raise CommunityRefused("Enter the person's full name.", field="full_name")
    if postcode.strip():
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            raise CommunityRefused("Enter a real postcode, like WN5 8AA.", field="postcode") from None
    with transaction.atomic():
        person = Person(full_name=full_name, preferred_name=preferred_name.strip(), postcode=postcode.strip(),
                        funding_route=funding_route, neighbourhood=neighbourhood)
        _full_clean(person)
        person.save()
        CaseloadAssignment.objects.create(coordinator=coordinator, person=person)
        audit_record(action="caseload.person_added", actor=coordinator, on_behalf_of=person, target=person,
                     summary=f"{coordinator} added {person} to their caseload")
    return person


def caseload_join(*, coordinator: User, person: Person) -> CaseloadAssignment:
    """A coordinator takes on someone who already has a record (idempotent)."""
    if not coordinator.has_role(Role.COORDINATOR):
        raise CommunityRefused("Only coordinators keep a caseload.")
    with transaction.atomic():
        assignment, created = CaseloadAssignment.objects.get_or_create(coordinator=coordinator, person=person)
        if created:
            audit_record(action="caseload.person_added", actor=coordinator, on_behalf_of=person, target=person,
                         summary=f"{coordinator} added {person} to their caseload")
    return assignment


def what_matters_record(*, person: Person, by: User, **answers: str) -> WhatMatters:
    """Record what matters to the person, in their words: by their coordinator, or by the person themselves."""
    unknown = set(answers) - set(WHAT_MATTERS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    capacity = capacity_for(by, person, ConsentScope.VIEW)
    if capacity not in (Capacity.COORDINATOR, Capacity.SELF):
        raise CommunityRefused("Only the person, or their coordinator, can record what matters to them.")
    cleaned = {name: (answers.get(name) or "").strip() for name in WHAT_MATTERS_FIELDS}
    if not any(cleaned.values()):
        raise CommunityRefused("Write at least one thing: their story, interests, gifts, people or goals.",
                               field="story")
    with transaction.atomic():
        record = WhatMatters.objects.select_for_update().filter(person=person).first() or WhatMatters(person=person)
        changed = sorted(name for name, value in cleaned.items() if getattr(record, name) != value)
        for name, value in cleaned.items():
            setattr(record, name, value)
        record.updated_by, record.updated_at = by, timezone.now()
        _full_clean(record)
        record.save()
        audit_record(action="person.what_matters_recorded", actor=by, on_behalf_of=person, target=person,
                     summary=f"{by} recorded what matters to {person}", data={"changed": changed})
    return record


def introduction_make(*, person: Person, service: Service, note: str, by: User) -> Introduction:
    """A coordinator introduces the person to a listed service, activity or group, saying why."""
    _require_coordinator_of(by, person)
    note = note.strip()
    if not note:
        raise CommunityRefused("Say why you think it suits them: they will read it.", field="note")
    if not service_is_listed(service):
        raise CommunityRefused("That service is not listed at the moment, so it cannot be introduced.")
    already = CommunityRefused(f"{person.display_name} already has an introduction to {service} waiting for an answer.")
    if Introduction.objects.filter(person=person, service=service, status=IntroductionStatus.OFFERED).exists():
        raise already
    try:
        with transaction.atomic():
            introduction = Introduction(person=person, service=service, note=note, made_by=by)
            _full_clean(introduction)
            introduction.save()
            audit_record(action="introduction.made", actor=by, on_behalf_of=person, target=introduction,
                         summary=f"{by} introduced {person} to {service}")
    except IntegrityError:  # the same introduction made at the same moment
        raise already from None
    return introduction


def introduction_answer(*, introduction: Introduction, by: User, accept: bool, note: str = "") -> Introduction:
    """The person (or someone acting for them: a supporter who may book, their coordinator) accepts or declines.
    An accepted activity at a venue goes on their plan at once (no order, no visits); an accepted paid service at
    home is booked through the usual order pages, which the introduction links to."""
    person = introduction.person
    capacity = capacity_for(by, person, ConsentScope.ORDER)
    if capacity not in (Capacity.SELF, Capacity.SUPPORTER, Capacity.COORDINATOR):
        raise CommunityRefused("Only the person, or someone helping them, can answer this introduction.")
    with transaction.atomic():
        locked = Introduction.objects.select_for_update().get(pk=introduction.pk)
        if locked.status != IntroductionStatus.OFFERED:
            raise CommunityRefused(f"This introduction was already answered: {locked.get_status_display().lower()}.")
        locked.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
        locked.answered_by, locked.answered_at, locked.answer_note = by, timezone.now(), note.strip()[:500]
        locked.save(update_fields=["status", "answered_by", "answered_at", "answer_note"])
        audit_record(action=f"introduction.{locked.status}", actor=by, on_behalf_of=person, target=locked,
                     summary=f"{person} {locked.status} the introduction to {locked.service}",
                     data={"capacity": str(capacity)})
        if accept and locked.service.is_activity:
            activity_join(person=person, service=locked.service, by=by, introduction=locked)
    return locked
