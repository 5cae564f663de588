"""The site's URLs as `make run` (DEBUG) mounts them, with the development media route first."""

from market.core.static import development_media_urlpatterns
from market.urls import urlpatterns as site_urlpatterns

urlpatterns = [*development_media_urlpatterns(), *site_urlpatterns]
