from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "market.directory"
    label = "directory"
    verbose_name = "Directory search"
