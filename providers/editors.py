"""A provider's team in Wagtail: one auth group holding exactly the provider's members, and one image collection.

The providers area keeps the group's members equal to the provider's (`editors_sync`, after a member joins or
leaves) and lets the group add and choose images in the provider's own collection (service photos go there).
What the group may do with pages is granted by whoever makes the provider's pages: cms.storefronts gives it
`change_page` on the provider's storefront and access to the admin.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission

from .models import Provider


def editors_group_name(provider: Provider) -> str:
    return f"Storefront editors: {provider.slug}"[:150]


def provider_collection(provider: Provider) -> Collection:
    """The provider's own Wagtail image collection (made on first use)."""
    name = f"Provider: {provider.slug}"[:255]
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=name).first()
    if collection is None:
        collection = root.add_child(name=name)
    return collection


def editors_sync(provider: Provider) -> Group:
    """The provider's editors group, with image rights in its collection and exactly its current members."""
    group, _ = Group.objects.get_or_create(name=editors_group_name(provider))
    collection = provider_collection(provider)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages", content_type__model="image",
        codename__in=["add_image", "change_image", "choose_image"],
    ):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    group.user_set.set(provider.members.all())
    return group
