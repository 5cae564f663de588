"""Commissioners configure the kinds of check providers must evidence, and reach the verification queue,
from the Wagtail admin. Decisions themselves are made on the queue pages (providers.views)."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CheckType
from .permissions import is_commissioner


class CheckTypeViewSet(SnippetViewSet):
    model = CheckType
    icon = "tick-inverse"
    menu_label = "Provider checks"
    menu_order = 310
    add_to_admin_menu = True
    list_display = [
        "name", "is_mandatory", "per_person", "requires_amount", "regulated_care_only", "venue_groups_need_it",
    ]
    search_fields = ["name", "description"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("is_mandatory"),
                FieldPanel("per_person"),
                FieldPanel("requires_amount"),
                FieldPanel("regulated_care_only"),
                FieldPanel("venue_groups_need_it"),
            ],
            heading="Rules",
        ),
        FieldPanel("sort_order"),
    ]


register_snippet(CheckTypeViewSet)


class VerificationMenuItem(MenuItem):
    def is_shown(self, request):
        return is_commissioner(request.user)


@hooks.register("register_admin_menu_item")
def register_verification_menu_item():
    return VerificationMenuItem("Verification queue", reverse("verification:queue"), icon_name="form", order=305)
