from http import HTTPStatus

from django.apps import apps
from django.core.management import call_command


def snapshot() -> dict[str, list]:
    """Every row of every project and Wagtail model, so a second load can be compared exactly."""
    labels = ("accounts", "core", "places", "taxonomy", "providers", "orders", "community", "cms", "wagtailcore",
              "otp_totp")
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first


def test_missing_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.content.decode()
