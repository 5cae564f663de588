"""Wagtail pages. Pages present content; business rules live in the domain apps."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class ContentBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", template="cms/blocks/heading.html")
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])
    call_to_action = blocks.StructBlock(
        [
            ("text", blocks.CharBlock()),
            ("link", blocks.CharBlock(help_text="A path on this site, like /find-support/")),
        ],
        icon="link",
        template="cms/blocks/call_to_action.html",
    )


class HomePage(Page):
    """The front door: what the market is and the way in for each kind of visitor."""

    introduction = models.CharField(max_length=300, blank=True)
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1


class ContentPage(Page):
    """A plain page of help or information ("How booking works", "Accessibility statement")."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
