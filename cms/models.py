"""Wagtail pages. Pages present content; business rules live in the domain apps."""

from django.db import models
from django.template.response import TemplateResponse
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from curation.selectors import council_picks, featured_listings
from providers.selectors import provider_is_listed

from .selectors import storefront_for


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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Community groups as council editors curate them (curation/): their picks, then what they feature.
        picks = council_picks()
        picked = {service.pk for service in picks}
        context["council_picks"] = picks
        context["featured"] = [service for service in featured_listings() if service.pk not in picked]
        return context


class ContentPage(Page):
    """A plain page of help or information ("How booking works", "Accessibility statement")."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]


class ProvidersIndexPage(Page):
    """`/providers/`: the parent of every provider storefront. Its moderation workflow sends storefront
    edits to a commissioner before publication (see cms/storefronts.py)."""

    introduction = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProviderPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from django.urls import reverse

        context = super().get_context(request, *args, **kwargs)
        context["search_url"] = reverse("directory:search")
        return context


class ProviderPage(Page):
    """A provider's storefront at `/providers/<slug>/`. Created by `cms.storefronts.storefront_ensure` when a
    commissioner approves the provider; the provider's members edit the story, photos and contact text,
    and a commissioner approves each change. Services, prices, checks and availability are not edited
    here: they come from the providers app and are shown only while the provider is listed."""

    provider = models.OneToOneField(
        "providers.Provider", on_delete=models.PROTECT, related_name="storefront"
    )
    story = RichTextField(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], blank=True,
        help_text="Who you are, why you do this, and what people can expect when they meet you.",
    )
    how_to_get_in_touch = models.TextField(
        blank=True, max_length=1000,
        help_text="For example: the best times to phone, or whether you can visit first for a chat.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("story"),
        InlinePanel("gallery_images", label="Photos", max_num=12),
        FieldPanel("how_to_get_in_touch"),
    ]
    # Providers write their own meta description; the slug (their URL) is fixed to the provider's slug.
    promote_panels = [FieldPanel("search_description")]
    parent_page_types = ["cms.ProvidersIndexPage"]
    subpage_types = []
    is_creatable = False  # made by storefront_ensure, so every storefront belongs to exactly one provider

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["storefront"] = storefront_for(page=self, request=request)
        return context

    def serve(self, request, *args, **kwargs):
        # Published is not enough: a provider that is not approved, or whose mandatory checks lapsed, is not shown.
        if not getattr(request, "is_preview", False) and not provider_is_listed(self.provider):
            return TemplateResponse(request, "cms/provider_unavailable.html", {"page": self, "self": self}, status=404)
        return super().serve(request, *args, **kwargs)


class ProviderPageGalleryImage(Orderable):
    page = ParentalKey(ProviderPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(
        max_length=200, help_text="Describe the photo for someone who cannot see it, e.g. 'Jo and Ken in the garden'."
    )
    caption = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]
