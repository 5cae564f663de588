from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "market.places"
    label = "places"
    verbose_name = "Places"
