"""The directory search form: a GET form that works without JavaScript. Every field is optional."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from market.core.forms import GovFormMixin
from market.places.selectors import Place, UnknownPostcode, place_for_postcode

from .selectors import PERIODS, SORTS, SearchCriteria, taxonomies, taxonomy

MAX_TEXT = 200
MAX_PRICE_POUNDS = Decimal("1000")

WEEKDAYS = [("", "Any day"), *[(str(i), name) for i, name in enumerate(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])]]
PERIOD_CHOICES = [("", "Any time"), *[(key, label) for key, (label, _, _) in PERIODS.items()]]
REGULATED_CHOICES = [
    ("", "Show all support"),
    ("only", "Only personal care (regulated by the CQC)"),
    ("exclude", "Leave out personal care"),
]
LANGUAGES = [
    "English", "British Sign Language", "Arabic", "Bengali", "Cantonese", "Gujarati", "Hindi", "Kurdish",
    "Lithuanian", "Mandarin", "Polish", "Portuguese", "Punjabi", "Romanian", "Somali", "Tamil", "Turkish",
    "Urdu", "Welsh",
]


class FixedSelect(forms.Select):
    """A Select whose list of choices is shared by every form's copy (Django re-normalises a copy per form)."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        result.attrs = self.attrs.copy()
        memo[id(self)] = result
        return result


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are pairs of strings, replaced but never changed in place, so every form shares
    one list instead of Django's deep copy of every pair (a fifth of building the search form); the same list
    each time also lets widget_html() reuse its escaped options."""

    widget = FixedSelect

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class TaxonomyChoiceField(FixedChoiceField):
    """A select of categories or needs whose values are slugs (clean URLs like ?category=gardening).
    Cleans to the model instance. Reads selectors.taxonomy() (cached for a minute): no query per request."""

    def __init__(self, kind: str, *, empty_label: str, **kwargs):
        self.kind = kind
        self.empty_label = empty_label
        self.items = None  # set once per form by SearchForm (one cache read per request, not one per use)
        super().__init__(required=False, choices=lambda: self._choices_now(empty_label), **kwargs)

    def _items_now(self) -> list:
        return self.items if self.items is not None else taxonomy(self.kind)

    def _choices_now(self, empty_label):
        return [("", empty_label), *[(item.slug, item.name) for item in self._items_now()]]

    #: (id of a list of items, empty label) -> (that list, its choices, normalised): every form built from the same
    #: list (index.live() keeps one until the categories or needs change) gets the same choices.
    _choices_for: dict = {}

    def use(self, items: list) -> None:
        self.items = items
        key = (id(items), self.empty_label)
        known = self._choices_for.get(key)
        if known is None or known[0] is not items:
            if len(self._choices_for) > 16:
                self._choices_for.clear()
            self.choices = self._choices_now(self.empty_label)
            known = self._choices_for[key] = (items, self.choices, self.widget.choices)
        self._choices = known[1]
        # Already normalised: ChoiceWidget.choices' setter would only normalise it again.
        self.widget._choices = known[2]

    def clean(self, value):
        slug = super().clean(value)
        if not slug:
            return None
        return next(item for item in self._items_now() if item.slug == slug)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option_parts(choices: list) -> list[tuple[str, str, str]] | None:
    """(value as compared, '<option value="…"' escaped, label escaped) for flat choices; None for grouped
    choices. Kept per list of choices (the forms' fields share theirs: FixedChoiceField)."""
    known = _OPTION_PARTS.get(id(choices))
    if known is not None and known[0] is choices:
        return known[1]
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        parts = None
    else:
        parts = [
            (str("" if value is None else value),
             f'<option value="{conditional_escape(str("" if value is None else value))}"',
             str(conditional_escape(label)))
            for value, label in choices
        ]
    if len(_OPTION_PARTS) > 64:
        _OPTION_PARTS.clear()
    _OPTION_PARTS[id(choices)] = (choices, parts)  # the list is kept, so its id is not reused meanwhile
    return parts


_OPTION_PARTS: dict[int, tuple[list, list | None]] = {}


def widget_html(field, value=None) -> str:
    """What `{% field_widget field %}` (market/core/templatetags/form_widgets.py) renders for this form's
    widgets (text inputs, selects, a checkbox), built in Python instead of a template per <option>: the same
    attributes (id, aria-describedby for hint and error, aria-invalid, ...) from Django's own get_context.
    tests/directory/test_search_form.py checks the output is the same HTML as the generic templates'."""
    widget = field.field.widget
    attrs = {}
    if field.errors and not field.use_fieldset:
        ids = [f"{field.auto_id}_helptext"] if field.help_text else []
        ids.append(f"{field.auto_id}_error")
        attrs["aria-describedby"] = " ".join(ids)
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    parts = None
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        parts = _option_parts(widget.choices)
    if parts is not None:
        # What Select.get_context gives, without building a dict (and copying the attrs) for every <option>.
        values = widget.format_value(field.value())
        options, selected = [], False
        for value, start, label in parts:
            if not selected and value in values:
                selected = True
                options.append(f"{start} selected>{label}</option>")
            else:
                options.append(f"{start}>{label}</option>")
        name = conditional_escape(field.html_name)
        select_attrs = _attrs_html(widget.build_attrs(widget.attrs, attrs))
        # Every value in it went through conditional_escape (here and in _option_parts).
        return mark_safe(f'<select name="{name}"{select_attrs}>{"".join(options)}</select>')  # noqa: S308
    context = widget.get_context(field.html_name, field.value() if value is None else value, attrs)["widget"]
    name = conditional_escape(context["name"])
    if isinstance(widget, forms.Select):
        options = []
        for _group, choices, _index in context["optgroups"]:
            for option in choices:
                options.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                    f'{conditional_escape(option["label"])}</option>'
                )
        # Every value in it went through conditional_escape above.
        return mark_safe(f'<select name="{name}"{_attrs_html(context["attrs"])}>{"".join(options)}</select>')  # noqa: S308
    shown_value = context["value"]
    shown = "" if shown_value is None else f' value="{conditional_escape(str(shown_value))}"'
    kind = conditional_escape(context["type"])
    return mark_safe(f'<input type="{kind}" name="{name}"{shown}{_attrs_html(context["attrs"])}>')  # noqa: S308


class SearchForm(GovFormMixin, forms.Form):
    #: The same markup as forms/form.html + forms/field.html, in one template with widgets built in Python:
    #: the generic per-field and per-option templates took half of a search page's rendering time.
    template_name = "directory/_search_form.html"

    def __init__(self, *args, taxonomy: dict | None = None, places=None, **kwargs):
        """`taxonomy`: {"category": [...], "need": [...]} if the caller has them (index.live()), else read from
        the cache (selectors.taxonomies()); `places`: where postcodes are (market.places.selectors.Places), else
        each is looked up in the database."""
        super().__init__(*args, **kwargs)
        self.places = places
        both = taxonomy or taxonomies()
        for name in ("category", "need"):
            self.fields[name].use(both[name])

    def fields_with_widgets(self) -> list[tuple]:
        return [(field, widget_html(field)) for field in self.visible_fields()]

    def render(self, template_name=None, context=None, renderer=None):
        """The form's HTML: directory/_search_form.html's markup built in Python (form_html), unless another
        template, context or renderer is asked for."""
        if template_name is None and context is None and renderer is None:
            return form_html(self)
        return super().render(template_name, context, renderer)

    __str__ = __html__ = render  # the mixin's own aliases name its render, not this one

    postcode = forms.CharField(
        required=False, max_length=10, label="Postcode",
        help_text="Where the support is needed, for example WN1 1AA. Or just the first half, like WN5.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false", "class": "input--short"}),
        error_messages={"max_length": "Enter a real postcode, like WN1 1AA, or the first half only, like WN5."},
    )
    q = forms.CharField(
        required=False, max_length=MAX_TEXT, label="What are you looking for?",
        help_text="For example: gardening, walk, tea, wheelchair.",
        error_messages={"max_length": f"Use {MAX_TEXT} characters or fewer (you used %(show_value)d)."},
    )
    category = TaxonomyChoiceField(
        "category", label="Kind of support", empty_label="Any kind of support",
        error_messages={"invalid_choice": "Choose a kind of support from the list."},
    )
    need = TaxonomyChoiceField(
        "need", label="What it should help with", empty_label="Anything",
        error_messages={"invalid_choice": "Choose what the support should help with from the list."},
    )
    day = FixedChoiceField(
        required=False, choices=WEEKDAYS, label="Day",
        error_messages={"invalid_choice": "Choose a day from the list."},
    )
    time = FixedChoiceField(
        required=False, choices=PERIOD_CHOICES, label="Time of day",
        error_messages={"invalid_choice": "Choose a time of day from the list."},
    )
    max_price = forms.CharField(
        required=False, max_length=10, label="Most you want to pay, in pounds",
        help_text="For each hour, visit or session, for example 18 or 17.50.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}),
        error_messages={"max_length": "Enter an amount in pounds, like 18 or 17.50."},
    )
    language = FixedChoiceField(
        required=False, choices=[("", "Any language"), *[(name, name) for name in LANGUAGES]],
        label="Language spoken",
        error_messages={"invalid_choice": "Choose a language from the list."},
    )
    regulated = FixedChoiceField(
        required=False, choices=REGULATED_CHOICES, label="Personal care",
        help_text="Help with washing, dressing, eating or medicines is personal care, regulated by the CQC.",
        error_messages={"invalid_choice": "Choose one of the personal care options."},
    )
    council_budget = forms.BooleanField(
        required=False, label="Can be paid from a council-managed budget",
    )
    sort = FixedChoiceField(
        required=False, choices=[("", "Best match"), *[(key, label) for key, label in SORTS.items()]],
        label="Sort by",
        error_messages={"invalid_choice": "Choose how to sort from the list."},
    )

    def clean_postcode(self) -> Place | None:
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return None
        try:
            return self.places.place_for(value) if self.places is not None else place_for_postcode(value)
        except UnknownPostcode:
            raise ValidationError(
                "We do not know that postcode. Check it, or enter the first half only, like WN5."
            ) from None
        except ValidationError:
            raise ValidationError("Enter a real postcode, like WN1 1AA, or the first half only, like WN5.") from None

    def clean_max_price(self) -> int | None:
        value = self.cleaned_data["max_price"].strip().lstrip("£").replace(",", "")
        if not value:
            return None
        try:
            pounds = Decimal(value)
        except InvalidOperation:
            raise ValidationError("Enter an amount in pounds, like 18 or 17.50.") from None
        if not pounds.is_finite() or pounds < 0:
            raise ValidationError("Enter an amount in pounds, like 18 or 17.50.")
        if pounds > MAX_PRICE_POUNDS:
            raise ValidationError(f"Enter an amount of £{MAX_PRICE_POUNDS:,.0f} or less.")
        if pounds.as_tuple().exponent < -2:
            raise ValidationError("Enter pounds and pence only, like 17.50.")
        return int(pounds * 100)

    def clean_day(self) -> int | None:
        value = self.cleaned_data["day"]
        return int(value) if value != "" else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") == "distance" and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("sort", "Enter a postcode to sort by distance.")
        return cleaned

    def criteria(self, *, now: datetime.datetime | None = None) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            place=data.get("postcode"),
            text=data.get("q", "").strip(),
            category=data.get("category"),
            need=data.get("need"),
            weekday=data.get("day"),
            period=data.get("time") or None,
            max_price_pence=data.get("max_price"),
            language=data.get("language", ""),
            regulated=data.get("regulated", ""),
            council_budget=bool(data.get("council_budget")),
            sort=data.get("sort") or "best",
        )


def form_html(form: SearchForm) -> str:
    """directory/_search_form.html, built in Python: the same elements, attributes and text (its for-loops over
    the fields were most of the cost of rendering a search page's form). tests/directory/test_search_form.py
    checks both give the same HTML. Every value is escaped with conditional_escape, as the template would.

    Without errors (nearly always) each field's block is the same but for the value submitted: a select's or
    checkbox's whole block is kept per value, a text input's block around its value once per field."""
    if form.errors:
        return _form_html(form)
    parts = []
    for field in form.visible_fields():
        raw = form.data.get(field.html_name) if form.is_bound else None
        if raw is not None and not isinstance(raw, str):
            return _form_html(form)
        widget = field.field.widget
        choices = widget.__dict__.get("_choices")
        if isinstance(widget, forms.widgets.Input) and not isinstance(widget, forms.CheckboxInput):
            shell = _TEXT_SHELLS.get((type(form), field.html_name, field.auto_id))
            if shell is None:
                shell = _TEXT_SHELLS[(type(form), field.html_name, field.auto_id)] = _text_shell(form, field)
            value = widget.format_value(raw)
            shown = "" if value is None else f' value="{conditional_escape(value)}"'
            parts.append(f"{shell[0]}{shown}{shell[1]}")
            continue
        key = (type(form), field.html_name, field.auto_id, form.is_bound, raw, id(choices))
        known = _FIELD_BLOCKS.get(key)
        if known is None or known[0] is not choices:
            if len(_FIELD_BLOCKS) > 2048:
                _FIELD_BLOCKS.clear()
            known = _FIELD_BLOCKS[key] = (choices, _field_block(field))
        parts.append(known[1])
    # Every interpolated value went through conditional_escape (the blocks: in _field_block).
    return mark_safe("".join(parts))  # noqa: S308


def _text_shell(form, field) -> tuple[str, str]:
    """A text input's block without errors, cut where its value attribute goes."""
    marker = "\x00value\x00"
    block = _field_block(field, value=marker)
    before, after = block.split(f' value="{marker}"')
    return before, after


def _form_html(form: SearchForm) -> str:
    """form_html() for any form, errors and all: the error summary, then every field's block made afresh."""
    e = conditional_escape
    parts = []
    if form.errors:
        items = [f"<li>{e(error)}</li>" for error in form.non_field_errors()]
        for field in form:
            items += [f'<li><a href="#{e(field.auto_id)}">{e(error)}</a></li>' for error in field.errors]
        parts.append(
            '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" '
            'data-error-summary>\n  <h2 id="error-summary-title" class="error-summary__title">There is a problem</h2>'
            f'\n  <ul class="error-summary__list">\n    {"".join(items)}\n  </ul>\n</div>\n'
        )
    for field in form.visible_fields():
        parts.append(_field_block(field))
    # Every interpolated value went through conditional_escape (widgets: in widget_html).
    return mark_safe("".join(parts))  # noqa: S308


def _field_block(field, value=None) -> str:
    """One field's block: label, hint, error and widget (`value`: a text input's value to show instead)."""
    e = conditional_escape
    widget = widget_html(field, value=value)
    field_id = e(field.auto_id)
    errors = field.errors
    error_class = " field--error" if errors else ""
    error = ""
    if errors:
        error = (f'<p class="field__error" id="{field_id}_error"><span class="visually-hidden">Error:</span> '
                 f'{" ".join(str(e(message)) for message in errors)}</p>\n')
    if field.widget_type == "checkbox":
        hint = (f'<div class="field__hint checkbox__hint" id="{field_id}_helptext">{e(field.help_text)}</div>\n'
                if field.help_text else "")
        return (
            f'<div class="field field--checkbox{error_class}">\n{error}<div class="checkbox">\n{widget}\n'
            f'<label class="checkbox__label" for="{field_id}">{e(field.label)}</label>\n</div>\n{hint}</div>\n'
        )
    hint = (f'<div class="field__hint" id="{field_id}_helptext">{e(field.help_text)}</div>\n'
            if field.help_text else "")
    return (
        f'<div class="field{error_class}">\n<label class="field__label" for="{field_id}">{e(field.label)}'
        f"</label>\n{hint}{error}{widget}\n</div>\n"
    )


#: A select's or checkbox's whole block without errors, by field and submitted value, with the list of choices it
#: was made from (only reused while its field still has that very list: FixedChoiceField).
_FIELD_BLOCKS: dict[tuple, tuple] = {}
#: A text input's block without errors, before and after its value attribute, by field.
_TEXT_SHELLS: dict[tuple, tuple[str, str]] = {}
