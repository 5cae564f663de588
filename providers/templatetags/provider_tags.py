"""{% load provider_tags %}: money and prices as people read them."""

from django import template

register = template.Library()


def format_pence(pence) -> str:
    if pence is None:
        return ""
    pence = int(pence)
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


@register.filter
def pence(value):
    """{{ 1750|pence }} -> £17.50"""
    return format_pence(value)


@register.filter
def service_price(service):
    """{{ service|service_price }} -> "£17.50 per hour" or "Free"."""
    if service.unit == "free":
        return "Free"
    return f"{format_pence(service.price_pence)} {service.get_unit_display()}"
