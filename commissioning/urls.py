from django.urls import path

from . import views

app_name = "commissioning"

urlpatterns = [
    path("", views.home, name="home"),
    path("market/", views.market, name="market"),
    path("market/refresh/", views.market_refresh, name="market-refresh"),
    path("market/list/<slug:name>/", views.market_list, name="market-list"),
    path("market/reference-rates/", views.reference_rates, name="reference-rates"),
]
