"""Search vectors on tickets and messages: generated columns over the shared
normalising SQL functions, each with a GIN index; an index for reports by resolution."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import ticketing.search_sql
from django.conf import settings
import ticketing.search_sql as search_sql
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ticketing', '0003_queue_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(search_sql.CREATE_FUNCTIONS, search_sql.DROP_FUNCTIONS),
        migrations.AddField(
            model_name='message',
            name='search_vector',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.SearchVector(ticketing.search_sql.SearchText('body'), config='simple', weight='C'), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddField(
            model_name='ticket',
            name='search_vector',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector(ticketing.search_sql.SearchText('subject'), config='simple', weight='A'), '||', django.contrib.postgres.search.SearchVector(ticketing.search_sql.SearchText('description'), config='simple', weight='B'), django.contrib.postgres.search.SearchConfig('simple')), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='message',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='message_search'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='ticket_search'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('resolved_at__isnull', False)), fields=['resolved_at', 'assignee'], name='ticket_resolved'),
        ),
    ]
