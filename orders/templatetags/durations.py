"""A length of time in words in templates: {{ order.duration_minutes|in_hours }} -> "3 hours"."""

from django import template

from ..blocks import hours_text

register = template.Library()


@register.filter
def in_hours(minutes) -> str:
    return hours_text(int(minutes))
