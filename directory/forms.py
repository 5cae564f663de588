"""The directory search form: a GET form that works without JavaScript. Every field is optional."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from market.core.forms import GovFormMixin, MoneyField
from market.core.money import MAX_PRICE_POUNDS
from market.places.selectors import Place, UnknownPostcode, place_for_postcode
from market.taxonomy.models import Category, Need

from .search import PERIODS, SORTS, SearchCriteria
from .searching_for import SearchingFor
from .selectors import taxonomy_choices

MAX_TEXT = 200

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


class SearchForm(GovFormMixin, forms.Form):
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
    category = forms.ChoiceField(
        required=False, label="Kind of support",
        error_messages={"invalid_choice": "Choose a kind of support from the list."},
    )
    need = forms.ChoiceField(
        required=False, label="What it should help with",
        error_messages={"invalid_choice": "Choose what the support should help with from the list."},
    )
    day = forms.TypedChoiceField(
        required=False, choices=WEEKDAYS, coerce=int, empty_value=None, label="Day",
        error_messages={"invalid_choice": "Choose a day from the list."},
    )
    time = forms.ChoiceField(
        required=False, choices=PERIOD_CHOICES, label="Time of day",
        error_messages={"invalid_choice": "Choose a time of day from the list."},
    )
    max_price = MoneyField(
        max_pounds=MAX_PRICE_POUNDS, required=False, label="Most you want to pay, in pounds",
        help_text="For each hour, visit or session, for example 18 or 17.50.",
    )
    free = forms.BooleanField(required=False, label="Only free activities and support")
    language = forms.ChoiceField(
        required=False, choices=[("", "Any language"), *[(name, name) for name in LANGUAGES]],
        label="Language spoken",
        error_messages={"invalid_choice": "Choose a language from the list."},
    )
    regulated = forms.ChoiceField(
        required=False, choices=REGULATED_CHOICES, label="Personal care",
        help_text="Help with washing, dressing, eating or medicines is personal care, regulated by the CQC.",
        error_messages={"invalid_choice": "Choose one of the personal care options."},
    )
    council_budget = forms.BooleanField(required=False, label="Can be paid from a council-managed budget")
    sort = forms.ChoiceField(
        required=False, choices=[("", "Best match"), *SORTS.items()], label="Sort by",
        error_messages={"invalid_choice": "Choose how to sort from the list."},
    )

    def __init__(self, *args, searching_for: SearchingFor | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.taxonomy = taxonomy_choices()
        self.searching_for = searching_for
        if searching_for is not None:
            # Searching for a person: their area is the place, and only their plan's kinds of support are offered.
            del self.fields["postcode"]
            allowed = searching_for.category_ids
            if allowed is not None:
                self.taxonomy = {**self.taxonomy, "category": [
                    item for item in self.taxonomy["category"] if item[0] in allowed]}
        self.fields["category"].choices = [("", "Any kind of support"), *self._named("category")]
        self.fields["need"].choices = [("", "Anything"), *self._named("need")]

    def _named(self, kind: str) -> list[tuple[str, str]]:
        return [(slug, name) for _pk, slug, name in self.taxonomy[kind]]

    def _chosen(self, kind: str, model):
        slug = self.cleaned_data[kind]
        if not slug:
            return None
        pk, slug, name = next(item for item in self.taxonomy[kind] if item[1] == slug)
        return model(pk=pk, slug=slug, name=name)

    def clean_category(self) -> Category | None:
        return self._chosen("category", Category)

    def clean_need(self) -> Need | None:
        return self._chosen("need", Need)

    def clean_postcode(self) -> Place | None:
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return None
        try:
            return place_for_postcode(value)
        except UnknownPostcode:
            raise ValidationError(
                "We do not know that postcode. Check it, or enter the first half only, like WN5."
            ) from None
        except ValidationError:
            raise ValidationError("Enter a real postcode, like WN1 1AA, or the first half only, like WN5.") from None

    def _place(self) -> Place | None:
        if self.searching_for is not None:
            return self.searching_for.place
        return self.cleaned_data.get("postcode")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") == "distance" and not self._place() and "postcode" not in self.errors:
            self.add_error("sort", "Enter a postcode to sort by distance.")
        return cleaned

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            place=self._place(),
            text=data.get("q", "").strip(),
            category=data.get("category"),
            need=data.get("need"),
            weekday=data.get("day"),
            period=data.get("time") or None,
            # "Only free" is a price limit of nothing: the same filter every engine already applies.
            max_price_pence=0 if data.get("free") else data.get("max_price"),
            language=data.get("language", ""),
            regulated=data.get("regulated", ""),
            council_budget=bool(data.get("council_budget")),
            sort=data.get("sort") or "best",
            category_ids=self.searching_for.category_ids if self.searching_for is not None else None,
        )
