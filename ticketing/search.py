"""Ticket search for agents: keywords across subject, description, replies and notes;
by customer (name, employee number, email), by agent, by time range; combined with the
list filters; ranked by relevance, then recency.

The vectors are generated columns (``ticketing/search_sql.py``): PostgreSQL keeps them
current in the statement that writes the row. Matching tickets are found through two GIN
indexes (tickets; messages) joined by a UNION, so neither side is scanned; see
``SLICES`` for queries that match too much to rank it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from ticketing import selectors
from ticketing.models import Agent, Contact, Message, Ticket

#: How much a reply or note counts next to the subject/description (weights A/B vs C).
MESSAGE_RANK_FACTOR = 0.5
MAX_QUERY_LENGTH = 200
#: Ranking every match of a broad query ("invoice" in a million tickets: a hundred
#: thousand rows) costs far more than one page is worth. Matches are therefore collected
#: newest first, in slices of time going back (each an AND of the GIN index and the
#: time index, each reading only its own stretch of time), until there are
#: ``ENOUGH_MATCHES``; at most ``MAX_CANDIDATES`` of them are ranked. The first slice is
#: two days; the rate of matches so far tells how far back the next must reach, so a
#: query seen through one department's scope does not step through slices that would
#: not find enough. Without any match yet the slices widen as listed. A rare word
#: reaches the last, unbounded slice, where every match is cheap.
SLICES = (timedelta(days=2), timedelta(days=14), timedelta(days=92), timedelta(days=366), None)
ENOUGH_MATCHES = 100
MAX_CANDIDATES = 300


@dataclass(frozen=True)
class TicketSearch:
    """What an agent asked for. Empty fields do not filter."""

    text: str = ""
    customer: str = ""
    agent_id: int | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    filters: dict[str, Any] | None = None


def clean_query(text: str) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def matching_ticket_ids_sql(text: str) -> RawSQL:
    """Ids of tickets whose subject/description or any message matches ``text``."""
    ticket_table, message_table = Ticket._meta.db_table, Message._meta.db_table
    return RawSQL(  # noqa: S611 — table names are ours; the text is a parameter
        f"SELECT id FROM {ticket_table} WHERE search_vector @@ caseway_tsquery(%s, true) "
        f"UNION SELECT ticket_id FROM {message_table} "
        f"WHERE search_vector @@ caseway_tsquery(%s, true)",
        (text, text),
    )


def _relevance(text: str) -> RawSQL:
    message_table = Message._meta.db_table
    ticket_table = Ticket._meta.db_table
    return RawSQL(  # noqa: S611 — table names are ours; the text is a parameter
        f"ts_rank({ticket_table}.search_vector, caseway_tsquery(%s, true)) + %s * coalesce(("
        f"SELECT max(ts_rank(m.search_vector, caseway_tsquery(%s, true))) FROM {message_table} m "
        f"WHERE m.ticket_id = {ticket_table}.id "
        f"AND m.search_vector @@ caseway_tsquery(%s, true)), 0)",
        (text, MESSAGE_RANK_FACTOR, text, text),
        output_field=FloatField(),
    )


def matching_between_sql(
    text: str, since: datetime | None, until: datetime | None, *, words: int
) -> RawSQL:
    """Ids of tickets whose subject/description matches, or with a matching message,
    written in [``since``, ``until``) (None: unbounded).

    With more than one search term the query is handed to the planner as an InitPlan
    (``(SELECT caseway_tsquery(…))``) instead of a constant. For a constant it multiplies
    the frequencies of the terms as if they were independent, but the words of one query
    go together ("paper jam"; the bigrams 打印 and 印机 of 打印机), so it expects a
    hundred times fewer matches than there are, and then reads every match from the
    heap to check its date instead of intersecting the GIN index with the time index
    (measured at a million tickets: 47-80 ms instead of 12 ms for two weeks). Unseen,
    the query is given a flat 0.5% of rows, near the truth for such queries; a single
    term keeps the constant, whose estimate is right."""
    ticket_table, message_table = Ticket._meta.db_table, Message._meta.db_table
    query = "(SELECT caseway_tsquery(%s, true))" if words > 1 else "caseway_tsquery(%s, true)"
    time = ""
    time_params: list[datetime] = []
    if since is not None:
        time += " AND created_at >= %s"
        time_params.append(since)
    if until is not None:
        time += " AND created_at < %s"
        time_params.append(until)
    return RawSQL(  # noqa: S611 — table names are ours; values are parameters
        f"SELECT id FROM {ticket_table} WHERE search_vector @@ {query}{time} "
        f"UNION SELECT ticket_id FROM {message_table} WHERE search_vector @@ {query}{time}",
        (text, *time_params, text, *time_params),
    )


def search_term_count(text: str) -> int:
    """How many terms ``text`` becomes (0: nothing searchable, e.g. only punctuation)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(caseway_tsquery(%s, true))", [text])
        nodes = int(cursor.fetchone()[0])
    return (nodes + 1) // 2  # n terms joined by n - 1 ANDs


#: How far past the extrapolated reach the next slice goes, so one more slice is enough.
SLICE_MARGIN = 1.25


def _next_slice(reached: timedelta, found: int) -> timedelta | None:
    """How far back the next slice reaches: as far as the rate of matches so far says
    enough will be found (with a margin), or the next of ``SLICES`` when none were
    found yet; None for all of time."""
    if not found:
        return next((width for width in SLICES if width is None or width > reached), None)
    needed = reached * ENOUGH_MATCHES / found * SLICE_MARGIN
    longest = SLICES[-2]
    return None if longest is None or needed > longest else needed


def _candidates(tickets: QuerySet[Ticket], text: str, number: Q | None) -> list[int]:
    words = search_term_count(text)
    if words == 0:
        return list(tickets.filter(number).values_list("pk", flat=True)) if number else []
    now = timezone.now()
    found: list[int] = []
    if number is not None:
        found = list(tickets.filter(number).values_list("pk", flat=True))
    reached: timedelta | None = timedelta(0)
    while reached is not None and len(found) < ENOUGH_MATCHES:
        width = SLICES[0] if not reached else _next_slice(reached, len(found))
        since = None if width is None else now - width
        until = now - reached if reached else None
        matching = matching_between_sql(text, since, until, words=words)
        found += list(
            tickets.filter(pk__in=matching)
            .exclude(pk__in=found)
            .order_by()
            .values_list("pk", flat=True)[: MAX_CANDIDATES - len(found)]
        )
        reached = width
    return found


def _number_filter(text: str) -> Q | None:
    """A query that is a ticket number ("1042" or "#1042") also finds that ticket."""
    digits = text.lstrip("#")
    if digits.isdigit() and len(text) < 19:
        return Q(number=int(digits))
    return None


def keyword_filter(text: str) -> Q | None:
    """The condition ``text`` puts on tickets by the console's rules (every word in the
    subject, description, a reply or a note, in any of the four languages; or the
    ticket's number); ``None`` for an empty query."""
    text = clean_query(text)
    if not text:
        return None
    keyword = Q(pk__in=matching_ticket_ids_sql(text))
    number = _number_filter(text)
    if number is not None:
        keyword |= number
    return keyword


#: A query found in at least this share of the newest ``BROAD_MATCH_SAMPLE`` tickets
#: "matches broadly".
BROAD_MATCH_SHARE = 0.02
BROAD_MATCH_SAMPLE = 2500


def matches_broadly(text: str) -> bool:
    """Whether ``text`` is in at least ``BROAD_MATCH_SHARE`` of the newest tickets' own
    text: a walk from the newest ticket then fills a page after a few rows per match.
    Counted on a sample of the newest ``BROAD_MATCH_SAMPLE`` tickets (1-2 ms whatever the
    word). The planner's estimate is not asked: for a word it has no statistics on it
    guesses from the rarest word it knows, which in a tenant of similar tickets made an
    absent word look common (and a LIMIT-ed count through the index then chose to scan
    the table)."""
    text = clean_query(text)
    if not text:
        return False
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT search_vector FROM {table} "
            f"ORDER BY id DESC LIMIT %s) AS newest "
            f"WHERE search_vector @@ caseway_tsquery(%s, true)",
            [BROAD_MATCH_SAMPLE, text],
        )
        row = cursor.fetchone()
    return bool(row) and int(row[0]) >= BROAD_MATCH_SHARE * BROAD_MATCH_SAMPLE


def _row_matches_sql(text: str) -> RawSQL:
    """The ticket row itself, or one of its messages, matches ``text``: checked row by
    row, for walking the tickets in list order."""
    ticket_table, message_table = Ticket._meta.db_table, Message._meta.db_table
    return RawSQL(  # noqa: S611 - table names are ours; the text is a parameter
        f"{ticket_table}.search_vector @@ caseway_tsquery(%s, true) OR EXISTS ("
        f"SELECT 1 FROM {message_table} m WHERE m.ticket_id = {ticket_table}.id "
        f"AND m.search_vector @@ caseway_tsquery(%s, true))",
        (text, text),
        output_field=BooleanField(),
    )


def tickets_matching(
    tickets: QuerySet[Ticket], text: str, *, broad: bool | None = None
) -> QuerySet[Ticket]:
    """``tickets`` narrowed to those ``text`` finds (``keyword_filter``), unranked and in
    the queryset's own order: for lists that page through every match, such as the
    API's cursor pages.

    A rare word is best found through the GIN indexes (every match, then the page of
    them). A word in a large share of the tickets (``matches_broadly``) would make that
    a list of most of the table for one page; such a query is checked row by row
    instead, walking the tickets in list order until the page is full — a few rows per
    match (82 -> 10 ms at 100,000 tickets for a word in every ticket). ``broad`` is
    ``matches_broadly(text)`` when the caller has asked already."""
    keyword = keyword_filter(text)
    if keyword is None:
        return tickets
    if broad if broad is not None else matches_broadly(text):
        walked = Q(_row_matches_sql(clean_query(text)))
        number = _number_filter(clean_query(text))
        return tickets.filter(walked | number if number is not None else walked)
    return tickets.filter(keyword)


def _customers_matching(text: str) -> QuerySet[Contact]:
    return selectors.contacts_lookup(query=text, limit=200)


def ticket_search(*, agent: Agent, search: TicketSearch) -> QuerySet[Ticket]:
    """Tickets ``agent`` may see that match ``search``; best match first, then newest.
    Without keywords the newest tickets come first."""
    tickets = selectors.ticket_list(agent=agent, filters=search.filters or {})
    text = clean_query(search.text)
    customer = clean_query(search.customer)
    if customer:
        ids = list(_customers_matching(customer).values_list("id", flat=True))
        tickets = tickets.filter(Q(requester_id__in=ids) | Q(cc_contacts__in=ids)).distinct()
    if search.agent_id is not None:
        tickets = tickets.filter(assignee_id=search.agent_id)
    if search.created_after is not None:
        tickets = tickets.filter(created_at__gte=search.created_after)
    if search.created_before is not None:
        tickets = tickets.filter(created_at__lt=search.created_before)
    if not text:
        return tickets.annotate(relevance=Value(0.0, output_field=FloatField())).order_by(
            "-created_at", "-id"
        )
    number = _number_filter(text)
    tickets = tickets.filter(pk__in=_candidates(tickets, text, number))
    return tickets.annotate(relevance=Coalesce(_relevance(text), Value(0.0))).order_by(
        F("relevance").desc(), "-created_at", "-id"
    )


def resolved_tickets_like(*, ticket: Ticket, agent: Agent, limit: int = 5) -> list[Ticket]:
    """Resolved or closed tickets whose subject shares words with ``ticket``'s
    (any word, ranked by how many), for the console's "similar cases" panel."""
    words = [w for w in clean_query(ticket.subject).split() if len(w) > 2][:8]
    if not words:
        return []
    query = " || ".join("caseway_tsquery(%s, true)" for _ in words)
    vector = f"{Ticket._meta.db_table}.search_vector"
    return list(
        selectors.ticket_list(agent=agent)
        .filter(status__in=("resolved", "closed"))
        .exclude(pk=ticket.pk)
        .alias(
            matches=RawSQL(  # noqa: S611 — words are parameters
                f"{vector} @@ ({query})", words, output_field=BooleanField()
            )
        )
        .filter(matches=True)
        .annotate(
            relevance=RawSQL(  # noqa: S611 — words are parameters
                f"ts_rank({vector}, {query})", words, output_field=FloatField()
            )
        )
        .order_by(F("relevance").desc(), "-resolved_at")[:limit]
    )
