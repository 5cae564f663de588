from wagtail.snippets.models import register_snippet

from market.core.admin_audit import AuditedSnippetViewSet

from .models import Neighbourhood


class NeighbourhoodViewSet(AuditedSnippetViewSet):
    model = Neighbourhood
    icon = "site"
    menu_label = "Neighbourhoods"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "ward_codes"]
    search_fields = ["name"]


register_snippet(NeighbourhoodViewSet)
