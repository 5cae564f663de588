"""Council editors curate community listings in the Wagtail admin: featured or hidden listings, and the ordered
"Picked by the council" collection (drag to reorder). Who may: the Commissioners group's model permissions
(curation/migrations/0002), as for the kinds of support and neighbourhoods (market/taxonomy/wagtail_hooks.py)."""

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from market.core.admin_audit import AuditedSnippetViewSet

from .models import CouncilPick, ListingCuration


class ListingCurationViewSet(AuditedSnippetViewSet):
    model = ListingCuration
    icon = "pick"
    menu_label = "Featured and hidden"
    list_display = ["service", "featured", "hidden"]
    list_filter = ["featured", "hidden"]
    panels = [
        FieldPanel("service"),
        FieldPanel("featured"),
        MultiFieldPanel([FieldPanel("hidden"), FieldPanel("hidden_reason")], heading="Hiding it"),
    ]


class CouncilPickViewSet(AuditedSnippetViewSet):
    model = CouncilPick
    icon = "list-ol"
    menu_label = "Picked by the council"
    sort_order_field = "sort_order"
    list_display = ["service", "note"]
    panels = [FieldPanel("service"), FieldPanel("note")]


class CommunityListingsGroup(SnippetViewSetGroup):
    items = (ListingCurationViewSet, CouncilPickViewSet)
    menu_icon = "group"
    menu_label = "Community listings"
    menu_order = 320


register_snippet(CommunityListingsGroup)
