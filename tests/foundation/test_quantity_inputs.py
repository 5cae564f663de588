"""Hardening (issue 17, class 4): every quantity a person types (hours, items, sessions, credits, a share in percent,
kilometres) is read by the one QuantityField: ASCII digits only, within a range; and every money input by the one
MoneyField. A guard reads every form class of the project, and the source, so a new form cannot slip back to
Django's IntegerField, DecimalField or FloatField."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django import forms

from market.core.forms import MoneyField, QuantityField
from market.core.numbers import id_from, whole_number
from tests.foundation.test_import_map import LAYERS

ROOT = Path(__file__).resolve().parents[2]

REFUSED = ["1e5", "5.0", "\uff15", "+5", "5 0", "-1", "1_0", "²", "0x5", "five", "5,0", "9" * 5000]


@pytest.mark.parametrize("typed", REFUSED)
def test_a_quantity_is_ascii_digits_only(typed):
    field = QuantityField(min_value=1, max_value=200)

    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)

    assert refused.value.messages[0] in (
        "Enter a whole number, like 3, using the digits 0 to 9.", "Ensure this value is less than or equal to 200.")


@pytest.mark.parametrize(("typed", "number"), [("5", 5), (" 12 ", 12), ("200", 200), ("007", 7)])
def test_a_quantity_in_plain_digits_is_read(typed, number):
    assert QuantityField(min_value=1, max_value=200).clean(typed) == number


def test_a_quantity_outside_its_range_is_refused_with_the_range():
    field = QuantityField(min_value=1, max_value=200)

    for typed, message in (("0", "greater than or equal to 1"), ("201", "less than or equal to 200")):
        with pytest.raises(forms.ValidationError, match=message):
            field.clean(typed)


def test_an_id_from_a_request_is_digits_that_fit_a_bigint():
    assert [id_from(text) for text in ("12", " 12", "²", "\uff15", "-1", "1e3", "9" * 19, "", "+3")] == [
        12, 12, None, None, None, None, None, None, None]
    assert whole_number("123456789") == 123456789 and whole_number("1234567890") is None


# --- the guard: every form class of the project ------------------------------------------------------------------

MONEY_NAME = re.compile(r"(^|_)(price|amount|pence|pounds|rate|cost|fee|cover|budget)(_|$)")
QUANTITY_NAME = re.compile(r"(^|_)(hours|minutes|items|units|sessions|credits|percent|weeks|km|count|quantity)(_|$)")


def _project_form_classes() -> list[type[forms.BaseForm]]:
    for area in LAYERS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts or "settings" in path.parts:
                continue
            source = path.read_text()
            if "Form)" in source or "Form," in source:
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                importlib.import_module(module)
    found, stack = [], [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in LAYERS:
            found.append(cls)
    return found


FORM_CLASSES = _project_form_classes()


def test_the_guard_sees_the_forms_of_every_area():
    areas = {cls.__module__.split(".")[0] for cls in FORM_CLASSES}
    assert {"market", "providers", "directory", "orders", "community", "payments", "commissioning"} <= areas
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"SpendForm", "RedeemForm", "ShareForm", "BlockHoursForm", "RefundForm", "ReferenceRateForm",
            "ServiceForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_no_form_reads_money_or_a_quantity_with_a_loose_field(form_class):
    loose = []
    for name, field in form_class.base_fields.items():
        if isinstance(field, (forms.DecimalField, forms.FloatField)):
            loose.append(f"{name}: {type(field).__name__} (money is MoneyField, a count is QuantityField)")
        elif isinstance(field, forms.IntegerField) and not isinstance(field, QuantityField):
            loose.append(f"{name}: plain IntegerField (use QuantityField)")
        elif isinstance(field, QuantityField) and (field.min_value is None or field.max_value is None):
            loose.append(f"{name}: a quantity without a range")
        elif MONEY_NAME.search(name) and isinstance(field, forms.CharField) and not isinstance(field, MoneyField):
            loose.append(f"{name}: money typed into a plain CharField (use MoneyField)")
        elif QUANTITY_NAME.search(name) and isinstance(field, forms.CharField):
            loose.append(f"{name}: a count typed into a CharField (use QuantityField)")
    assert loose == []


def _loose_fields_in_source() -> list[str]:
    """Fields built outside the class body (in __init__, in a factory) are found in the source instead."""
    offenders = []
    for area in LAYERS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts or path.relative_to(ROOT).as_posix() == "market/core/forms.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Attribute) and node.attr in {"IntegerField", "DecimalField", "FloatField"}
                        and isinstance(node.value, ast.Name) and node.value.id == "forms"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} forms.{node.attr}")
    return offenders


def test_no_source_builds_a_django_number_field_for_a_form():
    assert _loose_fields_in_source() == []
