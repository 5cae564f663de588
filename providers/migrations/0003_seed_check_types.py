"""The checks every council starts with. Commissioners can change or add to them in the admin."""

from django.db import migrations

CHECK_TYPES = [
    # slug, name, description, mandatory, per person, requires amount, regulated care only
    ("dbs-enhanced", "Enhanced DBS check",
     "An enhanced Disclosure and Barring Service check for each person who delivers support.",
     True, True, False, False),
    ("public-liability-insurance", "Public liability insurance",
     "Insurance that covers harm or damage while you work. Tell us the amount of cover.",
     True, False, True, False),
    ("cqc-registration", "CQC registration",
     "Registration with the Care Quality Commission. Needed for regulated personal care.",
     False, False, False, True),
    ("food-hygiene", "Food hygiene certificate",
     "Level 2 food hygiene, if you prepare or serve food.",
     False, True, False, False),
    ("safeguarding-training", "Safeguarding adults training",
     "Training in recognising and reporting abuse or neglect of adults.",
     False, True, False, False),
]


def seed(apps, schema_editor):
    CheckType = apps.get_model("providers", "CheckType")
    for order, (slug, name, description, mandatory, per_person, amount, regulated) in enumerate(CHECK_TYPES):
        CheckType.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "is_mandatory": mandatory, "per_person": per_person,
                      "requires_amount": amount, "regulated_care_only": regulated, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("providers", "0002_checks_services_availability")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
