"""The home page's first introduction promised that people could "find, book and pay"; card payments are not
part of the product yet (issue 18). A home page still showing that text gets the true one; one an editor has
changed is left alone."""

from django.db import migrations

EARLIER = (
    "Find, book and pay for care and support from small local providers, "
    "using your personal budget or your own money."
)
INTRODUCTION = (
    "Find and book care and support from small local providers, "
    "using your personal budget or your own money."
)


def _swap(apps, old: str, new: str) -> None:
    HomePage = apps.get_model("cms.HomePage")
    Revision = apps.get_model("wagtailcore.Revision")
    for home in HomePage.objects.filter(introduction=old):
        home.introduction = new
        home.save(update_fields=["introduction"])
        for revision in Revision.objects.filter(object_id=str(home.pk), base_content_type__app_label="wagtailcore",
                                               base_content_type__model="page"):
            if revision.content.get("introduction") == old:
                revision.content["introduction"] = new
                revision.save(update_fields=["content"])


def forwards(apps, schema_editor):
    _swap(apps, EARLIER, INTRODUCTION)


def backwards(apps, schema_editor):
    _swap(apps, INTRODUCTION, EARLIER)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_storefront_state_sql"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
