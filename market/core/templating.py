"""The Jinja2 environment of Django's Jinja2 template backend (TEMPLATES' "jinja2" engine): the site's forms and
the directory's results render with it. Django's templates remain for pages and Wagtail."""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment

from .forms import widget_context


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on by default
    env.globals.update(url=url, static=static, widget_context=widget_context)
    return env
