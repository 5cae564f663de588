"""Render a form field's widget so that its error message is announced with it.

Django links a field's hint to its input (aria-describedby="<id>_helptext") but not its error message; a screen
reader user who tabs to the field should hear both. Used by forms/field.html.
"""

from django import template

register = template.Library()


@register.simple_tag
def field_widget(field):
    attrs = {}
    if field.errors and not field.use_fieldset:
        ids = [f"{field.auto_id}_helptext"] if field.help_text else []
        ids.append(f"{field.auto_id}_error")
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
