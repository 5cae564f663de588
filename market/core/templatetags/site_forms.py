"""Django-template tags for the site's Jinja2 form templates (market/core/jinja2/forms/).

    {% error_summary form %}           the error summary that links to each field
    {% form_field field heading=True %} one field, its label as the page's h1 (question pages)
    {% jinja "directory/_results.html" %} a Jinja2 template, with this template's context
"""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def error_summary(form):
    return form.render("forms/error_summary.html")


@register.simple_tag
def form_field(field, heading=False):
    return field.render(context={"field": field, "heading": heading})


@register.simple_tag(takes_context=True)
def jinja(context, template_name):
    rendered = engines["jinja2"].get_template(template_name).render(context.flatten(), context.get("request"))
    return mark_safe(rendered)  # noqa: S308 - Jinja2 escaped everything it interpolated
