"""Seed the default plans (Free, Team, Business); existing plans are left as they are."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from billing.plans import DEFAULT_PLANS

    Plan = apps.get_model("billing", "Plan")
    for definition in DEFAULT_PLANS:
        Plan.objects.get_or_create(code=definition["code"], defaults=definition)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
