"""A provider's status: the one table of allowed changes, asking for approval, and the commissioners' decisions
(approve, reject, suspend, reinstate, CQC exemption). Areas above providers act on an approval through
`PROVIDER_APPROVED_HOOK`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from market.accounts.models import User
from market.core.audit import audit_record
from market.core.links import absolute_reverse

from ..exceptions import IllegalTransition, Refused
from ..models import Provider, ProviderStatus
from ._shared import _require_commissioner, _require_member, _tell_commissioners, _tell_provider

#: The one table of allowed provider status changes: (from, to) -> the action's name in the audit trail.
PROVIDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (ProviderStatus.DRAFT, ProviderStatus.PENDING): "provider.submitted",
    (ProviderStatus.REJECTED, ProviderStatus.PENDING): "provider.resubmitted",
    (ProviderStatus.PENDING, ProviderStatus.APPROVED): "provider.approved",
    (ProviderStatus.PENDING, ProviderStatus.REJECTED): "provider.rejected",
    (ProviderStatus.APPROVED, ProviderStatus.SUSPENDED): "provider.suspended",
    (ProviderStatus.SUSPENDED, ProviderStatus.APPROVED): "provider.reinstated",
}

_STATUS_NEWS = {
    ProviderStatus.APPROVED: (
        "{name} is approved",
        "The council has approved {name}. People can now find and book "
        "your live services, as long as your checks stay up to date.",
    ),
    ProviderStatus.REJECTED: ("{name} is not approved yet", "The council has not approved {name} yet."),
    ProviderStatus.SUSPENDED: ("{name} is suspended", "The council has suspended {name}: your services are hidden."),
}


def _transition(*, provider: Provider, to: str, actor: User, reason: str = "", extra: dict | None = None) -> str:
    """Move a locked provider to `to` if the transition table allows it; returns the audit action name."""
    action = PROVIDER_TRANSITIONS.get((provider.status, to))
    if action is None:
        raise IllegalTransition(
            f"A provider that is “{provider.get_status_display()}” cannot become “{ProviderStatus(to).label}”."
        )
    before = provider.status
    provider.status = to
    provider.save()
    if to in _STATUS_NEWS:
        subject, body = (text.format(name=provider.name) for text in _STATUS_NEWS[to])
        _tell_provider(provider, subject, body + (f"\n\nThe council's reason: {reason}" if reason else ""))
    audit_record(
        action=action,
        actor=actor,
        target=provider,
        summary=f"{provider}: {ProviderStatus(before).label} → {ProviderStatus(to).label}"
        + (f" ({reason[:200]})" if reason else ""),
        data={"from": before, "to": to, "reason": reason, **(extra or {})},
    )
    return action


def provider_submit(*, provider: Provider, actor: User) -> Provider:
    """The provider asks for approval (draft or rejected → pending)."""
    _require_member(provider, actor, owner=True)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        missing = []
        if not provider.email:
            missing.append("an email address")
        if not provider.neighbourhoods.exists():
            missing.append("the neighbourhoods you cover")
        if not provider.services.exists():
            missing.append("at least one service")
        if missing and provider.status in (ProviderStatus.DRAFT, ProviderStatus.REJECTED):
            raise Refused(f"Before you submit, add {' and '.join(missing)}.")
        _transition(provider=provider, to=ProviderStatus.PENDING, actor=actor)
        provider.submitted_at = timezone.now()
        provider.onboarding_step = max(provider.onboarding_step, 5)
        provider.save(update_fields=["submitted_at", "onboarding_step"])
        _tell_commissioners(
            f"{provider} is waiting for verification",
            f"{provider} asked to be approved. Its checks and services are waiting in the verification queue.",
            link=absolute_reverse("verification:provider", args=[provider.slug]),
            key=f"provider-waiting:{provider.pk}:{provider.submitted_at.isoformat()}")
    return provider


def _decide_provider(*, provider: Provider, actor: User, to: str, reason: str, reason_required: bool) -> Provider:
    _require_commissioner(actor)
    reason = reason.strip()
    if reason_required and not reason:
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        now = timezone.now()
        provider.decided_by, provider.decision_reason = actor, reason
        if to == ProviderStatus.APPROVED and provider.status == ProviderStatus.PENDING:
            provider.approved_at = now
        _transition(provider=provider, to=to, actor=actor, reason=reason)
        if to == ProviderStatus.APPROVED:
            _after_approval(provider)
    return provider


#: Areas above providers act on an approval, in the same transaction, by registering a function under this Wagtail
#: hook (cms makes the provider's storefront): the providers area names no area above it.
PROVIDER_APPROVED_HOOK = "after_provider_approved"


def _after_approval(provider: Provider) -> None:
    for hook in hooks.get_hooks(PROVIDER_APPROVED_HOOK):
        hook(provider=provider)


def provider_approve(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.APPROVED, reason=reason, reason_required=False
    )


def provider_reject(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.REJECTED, reason=reason, reason_required=True
    )


def provider_suspend(*, provider: Provider, actor: User | None, reason: str) -> Provider:
    """Suspend an approved provider (a commissioner, or the system with actor=None). Its listings disappear."""
    if actor is not None:
        _require_commissioner(actor)
    if not reason.strip():
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.decided_by, provider.decision_reason = actor, reason.strip()
        _transition(provider=provider, to=ProviderStatus.SUSPENDED, actor=actor, reason=reason.strip())
    return provider


def provider_reinstate(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.APPROVED, reason=reason, reason_required=False
    )


def provider_record_cqc_exemption(*, provider: Provider, actor: User, reason: str) -> Provider:
    """A commissioner records why this provider may offer regulated personal care without its own CQC
    registration (an empty reason removes the exemption)."""
    _require_commissioner(actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        before = provider.cqc_exemption_reason
        provider.cqc_exemption_reason = reason.strip()
        provider.save(update_fields=["cqc_exemption_reason"])
        audit_record(
            action="provider.cqc_exemption_recorded" if reason.strip() else "provider.cqc_exemption_removed",
            actor=actor,
            target=provider,
            summary=f"CQC exemption for {provider}: {reason.strip()[:200] or 'removed'}",
            data={"before": before, "after": provider.cqc_exemption_reason},
        )
    return provider
