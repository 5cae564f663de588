from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "market.taxonomy"
    label = "taxonomy"
    verbose_name = "Services and needs"
