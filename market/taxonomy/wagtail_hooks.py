"""Commissioners edit the taxonomy of support in the Wagtail admin."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from market.core.admin_audit import AuditedSnippetViewSet

from .models import Category, Need


class CategoryViewSet(AuditedSnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = "Categories"
    list_display = ["name", "is_regulated_personal_care", "sort_order"]
    search_fields = ["name", "description"]


class NeedViewSet(AuditedSnippetViewSet):
    model = Need
    icon = "help"
    menu_label = "Needs"
    list_display = ["name", "description"]
    search_fields = ["name", "description"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Kinds of support"
    menu_icon = "tag"
    menu_order = 300
    items = (CategoryViewSet, NeedViewSet)


register_snippet(TaxonomyGroup)
