
"""Queues sort by priority then age from partial indexes; the ticket keeps a copy of
its priority level to make that possible."""

from django.conf import settings
from django.db import migrations, models


def copy_priority_levels(apps, schema_editor):
    Ticket = apps.get_model("ticketing", "Ticket")
    Priority = apps.get_model("ticketing", "Priority")
    for priority in Priority.objects.all():
        Ticket.objects.filter(priority=priority).update(priority_level=priority.level)


class Migration(migrations.Migration):

    dependencies = [
        ('ticketing', '0002_seed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_assignee_open',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_unassigned_queue',
        ),
        migrations.AddField(
            model_name='ticket',
            name='priority_level',
            field=models.PositiveSmallIntegerField(default=3, editable=False),
        ),
        migrations.RunPython(copy_priority_levels, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.F('assignee'), models.OrderBy(models.F('priority_level'), descending=True), models.F('created_at'), condition=models.Q(('status', 'new'), ('status', 'open'), ('status', 'pending'), ('status', 'on_hold'), _connector='OR'), name='ticket_assignee_queue'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.F('department'), models.OrderBy(models.F('priority_level'), descending=True), models.F('created_at'), condition=models.Q(('assignee__isnull', True), models.Q(('status', 'new'), ('status', 'open'), ('status', 'pending'), ('status', 'on_hold'), _connector='OR')), name='ticket_unassigned_queue'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.OrderBy(models.F('priority_level'), descending=True), models.F('created_at'), condition=models.Q(('status', 'new'), ('status', 'open'), ('status', 'pending'), ('status', 'on_hold'), _connector='OR'), name='ticket_open_queue'),
        ),
    ]
