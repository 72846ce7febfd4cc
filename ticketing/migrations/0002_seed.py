from django.db import migrations

# Five levels a tenant can rename later; descriptions say when to use each.
DEFAULT_PRIORITIES = [
    (1, "Lowest", "Cosmetic issue or suggestion; no effect on work.", "#94a3b8"),
    (2, "Low", "Minor inconvenience with an easy workaround.", "#64748b"),
    (3, "Normal", "Something does not work as expected; work can continue.", "#2563eb"),
    (4, "High", "Important work is blocked for one person or a small team.", "#ea580c"),
    (5, "Highest", "Service down or many people blocked; needs attention now.", "#dc2626"),
]


def seed(apps, schema_editor):
    Priority = apps.get_model("ticketing", "Priority")
    HelpdeskSettings = apps.get_model("ticketing", "HelpdeskSettings")
    for level, name, description, colour in DEFAULT_PRIORITIES:
        Priority.objects.get_or_create(
            level=level, defaults={"name": name, "description": description, "colour": colour}
        )
    HelpdeskSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("ticketing", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE ticketing_ticket_number_seq START WITH 1000",
            reverse_sql="DROP SEQUENCE ticketing_ticket_number_seq",
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
