from django import template

from orders.money import format_pence

register = template.Library()


@register.filter
def pounds(pence):
    """{{ entry.amount_pence|pounds }} -> £12.34"""
    return format_pence(pence)
