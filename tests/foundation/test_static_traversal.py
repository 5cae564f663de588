"""Hardening: a path-traversal request under /static/ is a 404, in development and in production."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

TRAVERSALS = ["/static/..%2f..%2f.embedded/dev/", "/static/../../manage.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
              "/static/..%5c..%5cmanage.py", "/static/%2e%2e%2f%2e%2e%2fREADME.md"]


def test_the_development_settings_serve_static_files_through_whitenoise():
    """`make run` uses market.settings.dev: runserver's own static handler (which raised on a traversal, a 500)
    is switched off, and WhiteNoise serves the apps' static folders as it does in production."""
    script = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'market.settings.dev'; django.setup(); "
              "from django.conf import settings as s; "
              "print(s.INSTALLED_APPS[0], s.WHITENOISE_USE_FINDERS, "
              "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "market.settings.dev"}
    check = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR,
                           env=environment, check=True)
    assert check.stdout.split() == ["whitenoise.runserver_nostatic", "True", "True"]


@pytest.mark.parametrize("path", TRAVERSALS)
@override_settings(DEBUG=True, WHITENOISE_USE_FINDERS=True)
def test_a_traversal_is_not_found_as_development_serves_it(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"SECRET" not in response.content and b"[project]" not in response.content


@pytest.mark.parametrize("path", TRAVERSALS)
def test_a_traversal_is_not_found_as_production_serves_it(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"[project]" not in response.content


@override_settings(DEBUG=True, WHITENOISE_USE_FINDERS=True)
def test_a_real_static_file_is_still_served_in_development(client, db):
    css = next((settings.BASE_DIR / "market" / "static").rglob("*.css")).relative_to(
        settings.BASE_DIR / "market" / "static")
    assert client.get(f"/static/{css.as_posix()}").status_code == 200


MEDIA_TRAVERSALS = ["/media/..%2f..%2fmanage.py", "/media/../private/evidence.pdf", "/media/%2e%2e/%2e%2e/README.md",
                    "/media/..%5c..%5cmanage.py", "/media/%2e%2e%2fprivate%2f"]


@pytest.mark.parametrize("path", MEDIA_TRAVERSALS)
@override_settings(DEBUG=True, ROOT_URLCONF="tests.foundation.debug_media_urls")
def test_a_media_traversal_is_not_found_as_development_serves_it(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"[project]" not in response.content and b"%PDF" not in response.content


@override_settings(DEBUG=True, ROOT_URLCONF="tests.foundation.debug_media_urls")
def test_a_real_media_file_is_still_served_in_development(client, db):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "hello.txt").write_text("hello")
    assert client.get("/media/hello.txt").status_code == 200


@pytest.mark.parametrize("path", ["/media/..%2f..%2fmanage.py", "/media/../private/x.pdf"])
def test_production_serves_no_media_path_from_the_application(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/oruk/services/..%2f..%2fmanage.py", "/oruk/openapi.json/..%2f..%2fmanage.py",
                                  "/finance/invoices/1/pdf/..%2f..%2fmanage.py", "/documents/..%2f..%2fmanage.py",
                                  "/provider/x/checks/1/file/..%2f..%2fmanage.py"])
def test_a_traversal_on_the_file_routes_is_not_found(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"[project]" not in response.content
