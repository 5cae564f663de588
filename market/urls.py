from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from market.core.views import healthz
from orders.views.find_support import find_support

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("account/notices/", include("market.outbox.urls_notices")),
    path("account/", include("market.accounts.urls")),
    # The directory's search; orders adds searching for a person (?for=), which needs their plan (orders/views).
    path("find-support/", include(([path("", find_support, name="search")], "directory"))),
    path("oruk/", include("oruk.urls")),
    path("provider/<slug:slug>/invoices/", include("invoicing.urls_provider")),
    path("provider/<slug:slug>/payouts/", include("payments.urls_provider")),
    path("provider/", include("providers.urls")),
    path("finance/invoices/", include("invoicing.urls")),
    path("finance/payments/", include("payments.urls_finance")),
    path("payments/", include("payments.urls")),
    path("commissioners/verification/", include("providers.urls_verification")),
    path("commissioners/quality/", include("quality.urls")),
    path("commissioners/", include("commissioning.urls")),
    path("orders/", include("orders.urls")),
    path("community/activities/", include("curation.urls")),
    path("community/", include("community.urls")),
    path("staff/background/", include("market.outbox.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:  # static files are WhiteNoise's, in development too (market/settings/dev.py)
    from market.core.static import development_media_urlpatterns

    urlpatterns += development_media_urlpatterns()  # a path climbing out of the media folder is a 404

# Provider storefronts: an anonymous visitor's reused render, re-checked in one query; else Wagtail (cms/views.py).
urlpatterns += [
    path("providers/<slug:slug>/", cms_views.storefront, name="storefront"),
    path("provider/<slug:slug>/storefront/edit/", cms_views.storefront_edit, name="storefront-edit"),
]

handler403 = "market.core.views.permission_denied"

# Wagtail serves every other path: the home page, content pages and provider storefronts.
urlpatterns += [path("", include(wagtail_urls))]
