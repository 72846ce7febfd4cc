"""The SQL that turns text into search terms, shared by tickets, messages and the
knowledge base. It lives in the database so the stored search vectors are generated
columns, kept current by PostgreSQL in the same statement as every write, whoever writes.

One rule set for every language, on top of the ``simple`` configuration (no stemming,
no stop words: a mixed-language help desk cannot pick one dictionary):

- lower case, then fold letter variants: Arabic yeh/kaf/teh marbuta/hamza forms to the
  Persian letters, Arabic-Indic and Persian digits to ASCII, Polish diacritics to ASCII
  (customers type "zolty" for "żółty");
- drop zero-width non-joiners/joiners, direction marks, tatweel and Arabic diacritics, so
  "می‌خواهم" and "میخواهم" are one word;
- Chinese (CJK ideographs) has no spaces: every run becomes its overlapping character
  bigrams ("打印机" → "打印 印机"), which needs no dictionary and matches any sub-word.

``caseway_tsquery(q, prefix)`` builds a query from user input by the same rules: every
term must match (AND); with ``prefix`` terms of three letters or more also match longer
words ("drukark" finds "drukarki"), and a single ideograph matches the bigrams it starts.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQueryField, SearchVector
from django.db.models import BooleanField, F, Func, TextField, Value
from django.db.models.expressions import CombinedExpression, Expression

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FROM_LETTERS = "يىكةۀأإآٱؤ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ąćęłńóśźż"
_TO_LETTERS = "ییکههااااو01234567890123456789acelnoszz"
assert len(_FROM_LETTERS) == len(_TO_LETTERS)
_DROPPED = r"[\u064b-\u065f\u0670\u0640\u200b-\u200f\u2066-\u2069\ufeff]"


def _normalised(value: str) -> str:
    """SQL for the normalised text of the SQL expression ``value`` (a scalar subquery)."""
    return f"""(
    SELECT CASE WHEN folded !~ '[{CJK}]' THEN folded ELSE (
        SELECT coalesce(string_agg(
            CASE WHEN char_length(run) > 1 AND run ~ '^[{CJK}]' THEN (
                SELECT string_agg(substr(run, i, 2), ' ' ORDER BY i)
                FROM generate_series(1, char_length(run) - 1) AS i
            ) ELSE run END, ' ' ORDER BY ord), '')
        FROM regexp_matches(folded, '[{CJK}]+|[^{CJK}]+', 'g') WITH ORDINALITY AS r(m, ord),
             LATERAL (SELECT m[1] AS run) AS runs
    ) END
    FROM (
        SELECT translate(
            regexp_replace(lower(coalesce({value}, '')), '{_DROPPED}', '', 'g'),
            '{_FROM_LETTERS}', '{_TO_LETTERS}'
        ) AS folded
    ) AS normalised
)"""


# Neither function calls the other: a tenant schema is rebuilt from a pg_dump script whose
# search_path does not include the schema, and SQL function bodies are checked on creation.
# Changing these rules needs a new migration (see ticketing/migrations/0004_search.py).
CREATE_FUNCTIONS = f"""
CREATE FUNCTION caseway_search_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT {_normalised("value")}
$$;

CREATE FUNCTION caseway_tsquery(query text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(to_tsquery('simple', string_agg(
        quote_literal(lexeme) || CASE
            WHEN prefix AND (char_length(lexeme) >= 3 OR lexeme ~ '^[{CJK}]$') THEN ':*'
            ELSE '' END,
        ' & ')), ''::tsquery)
    FROM unnest(to_tsvector('simple', {_normalised("query")}))
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS caseway_tsquery(text, boolean);
DROP FUNCTION IF EXISTS caseway_search_text(text);
"""


class SearchText(Func):
    """``caseway_search_text(expression)``: the normalised text a vector is built from."""

    function = "caseway_search_text"
    output_field = TextField()


class SearchQueryFor(Func):
    """``caseway_tsquery(query, prefix)``: user input as a query by the same rules."""

    function = "caseway_tsquery"
    output_field = SearchQueryField()

    def __init__(self, query: str, *, prefix: bool = True) -> None:
        super().__init__(Value(query), Value(prefix))


class Matches(Func):
    """``vector @@ caseway_tsquery(query, true)`` as a boolean expression (works inside
    subqueries, where tables are aliased)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, vector: str, query: str) -> None:
        super().__init__(F(vector), SearchQueryFor(query))


def search_vector(*weighted: tuple[str | Expression, str]) -> CombinedExpression | SearchVector:
    """The stored vector of ``(field or expression, weight)`` pairs, for a ``GeneratedField``."""
    vectors = [SearchVector(SearchText(field), config="simple", weight=w) for field, w in weighted]
    combined: CombinedExpression | SearchVector = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined
