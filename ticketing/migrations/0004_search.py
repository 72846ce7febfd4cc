"""Search vectors on tickets and messages: generated columns over the shared
normalising SQL functions, each with a GIN index; an index for reports by resolution."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import ticketing.search_sql
from django.conf import settings
from django.db import migrations, models


# As ticketing/search_sql.py generated them when this migration was written; a later
# change to the rules is a new migration (CREATE OR REPLACE, then refresh the vectors).
CREATE_FUNCTIONS = r'''
CREATE FUNCTION caseway_search_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (
    SELECT CASE WHEN folded !~ '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]' THEN folded ELSE (
        SELECT coalesce(string_agg(
            CASE WHEN char_length(run) > 1 AND run ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]' THEN (
                SELECT string_agg(substr(run, i, 2), ' ' ORDER BY i)
                FROM generate_series(1, char_length(run) - 1) AS i
            ) ELSE run END, ' ' ORDER BY ord), '')
        FROM regexp_matches(folded, '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', 'g') WITH ORDINALITY AS r(m, ord),
             LATERAL (SELECT m[1] AS run) AS runs
    ) END
    FROM (
        SELECT translate(
            regexp_replace(lower(coalesce(value, '')), '[\u064b-\u065f\u0670\u0640\u200b-\u200f\u2066-\u2069\ufeff]', '', 'g'),
            'يىكةۀأإآٱؤ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ąćęłńóśźż', 'ییکههااااو01234567890123456789acelnoszz'
        ) AS folded
    ) AS normalised
)
$$;

CREATE FUNCTION caseway_tsquery(query text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(to_tsquery('simple', string_agg(
        quote_literal(lexeme) || CASE
            WHEN prefix AND (char_length(lexeme) >= 3 OR lexeme ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$') THEN ':*'
            ELSE '' END,
        ' & ')), ''::tsquery)
    FROM unnest(to_tsvector('simple', (
    SELECT CASE WHEN folded !~ '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]' THEN folded ELSE (
        SELECT coalesce(string_agg(
            CASE WHEN char_length(run) > 1 AND run ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]' THEN (
                SELECT string_agg(substr(run, i, 2), ' ' ORDER BY i)
                FROM generate_series(1, char_length(run) - 1) AS i
            ) ELSE run END, ' ' ORDER BY ord), '')
        FROM regexp_matches(folded, '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', 'g') WITH ORDINALITY AS r(m, ord),
             LATERAL (SELECT m[1] AS run) AS runs
    ) END
    FROM (
        SELECT translate(
            regexp_replace(lower(coalesce(query, '')), '[\u064b-\u065f\u0670\u0640\u200b-\u200f\u2066-\u2069\ufeff]', '', 'g'),
            'يىكةۀأإآٱؤ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ąćęłńóśźż', 'ییکههااااو01234567890123456789acelnoszz'
        ) AS folded
    ) AS normalised
)))
$$;
'''

DROP_FUNCTIONS = '''
DROP FUNCTION IF EXISTS caseway_tsquery(text, boolean);
DROP FUNCTION IF EXISTS caseway_search_text(text);
'''


class Migration(migrations.Migration):

    dependencies = [
        ('ticketing', '0003_queue_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(CREATE_FUNCTIONS, DROP_FUNCTIONS),
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
