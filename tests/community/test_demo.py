"""The community demo: groups in Pemberton and Orrell listed without home-care checks, and the person whose plan went
from about £70 a week of paid support to £17 a week of activities."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from community import selectors
from market.accounts.models import Person
from providers.selectors import listed_services

pytestmark = pytest.mark.django_db


def test_the_demo_lists_wn5_groups_and_gary_s_plan_costs_17_pounds_a_week_instead_of_70():
    call_command("load_demo", verbosity=0)

    listed = set(listed_services().filter(delivery="at_venue").values_list("title", flat=True))
    assert {"Stitch and Natter", "Thursday lunch club", "Saturday sailing", "Cooking on a budget (10-week course)",
            "Monday health walk", "Shed open days"} <= listed
    plan = selectors.person_plan(Person.objects.get(full_name="Gary Holt"))
    assert plan.typical_week.total_pence == 1700
    assert plan.settings.replaced_weekly_pence == 7000
    assert plan.saving_pence == 5300
    assert plan.purchases_total_pence == 16500
    jane = Person.objects.get(full_name="Jane Ashworth")
    assert [i.service.title for i in selectors.introductions_for_person(jane)] == ["Stitch and Natter"]
