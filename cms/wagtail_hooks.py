"""cms's part in other areas' actions, through Wagtail hooks (so those areas name nothing above them)."""

from wagtail import hooks

from providers.services import PROVIDER_APPROVED_HOOK

from .storefronts import storefront_ensure


@hooks.register(PROVIDER_APPROVED_HOOK)
def storefront_for_approved_provider(*, provider) -> None:
    """Every approved provider has its storefront, made in the approval's own transaction."""
    storefront_ensure(provider=provider)
