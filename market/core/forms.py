"""Form helpers shared by every app."""

from django import forms
from django.core.validators import MaxValueValidator
from django.forms.renderers import BaseRenderer
from django.template import engines

from .money import parse_pounds
from .numbers import digits_only, whole_number

#: Django's widget templates that forms/widgets.html writes as macros (the same markup), by macro.
WIDGET_MACROS = {
    **{f"django/forms/widgets/{name}.html": "input"
       for name in ("text", "email", "number", "password", "date", "hidden", "checkbox", "url", "tel", "search")},
    "django/forms/widgets/select.html": "select",
    "django/forms/widgets/textarea.html": "textarea",
    "django/forms/widgets/radio.html": "choices",
    "django/forms/widgets/checkbox_select.html": "choices",
}


def widget_context(field, attrs=None) -> tuple[str | None, dict | None]:
    """(macro, context) for forms/widgets.html: what Django's widget template would be given, built as
    BoundField.as_widget builds it, and the macro that writes the same markup; (None, None) for a widget that only
    Django renders (file inputs, multi-widgets)."""
    widget = field.field.widget
    macro = WIDGET_MACROS.get(widget.template_name)
    if macro is None:
        return None, None
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs or {}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return macro, widget.get_context(field.html_name, field.value(), attrs)["widget"]


class SiteFormRenderer(BaseRenderer):
    """The site's forms render with Jinja2 templates (Django's own Jinja2 backend, the "jinja2" engine in
    TEMPLATES): market/core/jinja2/forms/ for the form, each field and the usual widgets (widgets.html, the markup of
    Django's own widget templates as macros), Django's jinja2 widget templates for the rest. One markup for every
    form, and fast enough for the directory's search page. The Wagtail admin's forms keep Django's renderer."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def get_template(self, template_name):
        return engines["jinja2"].get_template(template_name)


class GovFormMixin:
    """Render with the site's accessible templates: an error summary that links to each field, then each
    field with its label, hint and error beside it. Django links hint and error to the input with
    aria-describedby (ids `<id>_helptext` and `<id>_error`), which the templates use."""

    template_name = "forms/form.html"
    default_renderer = SiteFormRenderer()


def posted(request):
    """The submitted form data for a POST, or None for a GET. Unlike `request.POST or None`, an empty POST
    (every field left blank) is still bound, so it is validated and its errors shown."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def add_refusal(form, field: str | None, message: str) -> None:
    """Show a service's refusal (a DomainError's field and message) beside the field it names, or above the
    form, in the error summary, when the form has no such field."""
    form.add_error(field if field in form.fields else None, message)


class MoneyField(forms.CharField):
    """An amount of money typed in pounds ("17.50", "£17.50", "1,250"), cleaned to integer pence. Plain decimal
    notation only (no "1e5"), at most two decimal places, and at most `max_pounds` for its kind: an hourly rate,
    an insurance cover, a budget adjustment. Every money input of the site uses it."""

    def __init__(self, *, max_pounds: int, **kwargs):
        self.max_pence = max_pounds * 100
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            pence = parse_pounds(text)
        except ValueError:
            raise forms.ValidationError("Enter an amount in pounds and pence, like 17.50.", code="invalid") from None
        if pence > self.max_pence:
            raise forms.ValidationError(f"Enter an amount of £{self.max_pence // 100:,} or less.", code="max_value")
        return pence

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value / 100:.2f}"
        return value


class QuantityField(forms.IntegerField):
    """A count a person types (hours, items, sessions, credits, a share in percent, kilometres): ASCII digits only,
    within `min_value`..`max_value` (both required: every quantity has a sensible range). Django's IntegerField also
    takes "5.0", "+5", "1_0" and other scripts' digits (a fullwidth five); this one refuses them, and "1e5", "5 0",
    "-1", with its "invalid" message beside the field. Every quantity input of the site uses it."""

    default_error_messages = {"invalid": "Enter a whole number, like 3, using the digits 0 to 9."}

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}))
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = whole_number(value, max_digits=len(str(self.max_value)))
        if number is None:
            if digits_only(value):  # digits only, but far too many of them
                message = self.error_messages.get("max_value", MaxValueValidator.message)
                raise forms.ValidationError(message, code="max_value",
                                            params={"limit_value": self.max_value})
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number
