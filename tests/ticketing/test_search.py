"""Ticket search: four languages, relevance then recency, the filters, visibility, and
vectors kept current by the writes themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tests.ticketing.factories import ContactFactory, make_ticket
from ticketing.models import Agent, Department, Ticket
from ticketing.search import TicketSearch, resolved_tickets_like, ticket_search
from ticketing.services.conversation import note_add, reply_from_agent, reply_from_customer
from ticketing.services.operations import ticket_assign


def _search(agent: Agent, text: str = "", **kwargs: Any) -> list[Ticket]:
    return list(ticket_search(agent=agent, search=TicketSearch(text=text, **kwargs)))


def _normalised(value: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT caseway_search_text(%s)", [value])
        return str(cursor.fetchone()[0])


def test_normalisation_rules(in_alpha: object) -> None:
    # Arabic yeh/kaf and a zero-width non-joiner fold to one Persian spelling
    assert _normalised("مي\u200cخواهم كتاب") == _normalised("میخواهم کتاب") == "میخواهم کتاب"
    assert _normalised("۱۲۳ ١٢٣") == "123 123"
    assert _normalised("ŻÓŁTY Zażółć") == "zolty zazolc"
    assert _normalised("打印机坏了") == "打印 印机 机坏 坏了"
    assert _normalised("printer 打印机 ok").split() == ["printer", "打印", "印机", "ok"]


def test_english_keywords_rank_subject_above_replies(support: Department, agent: Agent) -> None:
    in_body = make_ticket(department=support, subject="Cannot log in")
    reply_from_customer(
        ticket=in_body, contact=in_body.requester, body="Also the printer jams on page two"
    )
    in_subject = make_ticket(department=support, subject="Printer jams every morning")
    make_ticket(department=support, subject="Password reset", description="nothing related")
    assert _search(agent, "printer jams") == [in_subject, in_body]
    # prefix: "print" finds "printer"; every word must match
    assert set(_search(agent, "print")) == {in_subject, in_body}
    assert _search(agent, "printer password") == []


def test_recency_breaks_ties(support: Department, agent: Agent) -> None:
    older = make_ticket(department=support, subject="VPN drops")
    newer = make_ticket(department=support, subject="VPN drops")
    assert _search(agent, "vpn") == [newer, older]


def test_persian(support: Department, agent: Agent) -> None:
    arabic_letters = make_ticket(
        department=support, subject="مشكل در چاپگر", description="كار نمي\u200cكند"
    )
    persian = make_ticket(department=support, subject="درخواست مرخصی", description="سلام")
    # typed with Persian letters, no ZWNJ; the stored text used Arabic kaf/yeh and a ZWNJ
    assert _search(agent, "مشکل چاپگر") == [arabic_letters]
    assert _search(agent, "نمیکند") == [arabic_letters]
    assert _search(agent, "مرخصي") == [persian]


def test_polish(support: Department, agent: Agent) -> None:
    ticket = make_ticket(
        department=support, subject="Drukarka nie działa", description="Zażółć gęślą jaźń"
    )
    make_ticket(department=support, subject="Faktura za grudzień")
    assert _search(agent, "drukarka") == [ticket]
    assert _search(agent, "dzialа".replace("а", "a")) == [ticket]  # without diacritics
    assert _search(agent, "GĘŚLĄ") == [ticket]
    assert _search(agent, "drukark") == [ticket]  # an inflected form's stem


def test_chinese(support: Department, agent: Agent) -> None:
    printer = make_ticket(department=support, subject="打印机坏了", description="无法打印文件")
    invoice = make_ticket(department=support, subject="发票问题", description="请重新开具发票")
    assert _search(agent, "打印机") == [printer]
    assert _search(agent, "打印") == [printer]
    assert _search(agent, "发票") == [invoice]
    assert _search(agent, "开具") == [invoice]
    assert _search(agent, "坏") == [printer]  # one character
    assert _search(agent, "机票") == []


def test_notes_and_replies_are_searchable_at_once(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support, subject="Slow laptop")
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    note_add(ticket=ticket, agent=agent, body="Replaced the thermal paste")
    reply_from_agent(ticket=ticket, agent=agent, body="Please reboot twice")
    assert _search(agent, "thermal paste") == [ticket]
    assert _search(agent, "reboot") == [ticket]
    Ticket.objects.filter(pk=ticket.pk).update(subject="Laptop overheating")
    assert _search(agent, "overheating") == [ticket]


def test_filters_customer_agent_and_time(
    support: Department, agent: Agent, colleague: Agent
) -> None:
    nadia = ContactFactory.create(
        full_name="Nadia Karimi", email="nadia@example.com", employee_number="E-77"
    )
    hers = make_ticket(department=support, subject="Screen flickers", requester=nadia)
    other = make_ticket(department=support, subject="Screen flickers")
    ticket_assign(ticket=other, assignee=colleague, actor=colleague)
    assert _search(agent, "screen", customer="Nadia") == [hers]
    assert _search(agent, "screen", customer="E-77") == [hers]
    assert _search(agent, "", customer="nadia@example.com") == [hers]
    assert _search(agent, "screen", agent_id=colleague.pk) == [other]
    assert _search(agent, "screen", filters={"requester": nadia.pk}) == [hers]
    assert _search(agent, "screen", created_after=other.created_at) == [other]
    assert _search(agent, "screen", created_before=other.created_at) == [hers]
    assert _search(agent, f"#{hers.number}") == [hers]


def test_only_visible_tickets(support: Department, engineering: Department, agent: Agent) -> None:
    make_ticket(department=engineering, subject="Kernel panic")
    assert _search(agent, "kernel") == []


def test_blank_and_hostile_input(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support, subject="Quote's & <b>tags</b>")
    for text in ["", "   ", "&|!():*", "'", "\\", "a" * 500, "\x00"[:0] + "!!"]:
        ticket_search(agent=agent, search=TicketSearch(text=text)).count()
    assert _search(agent, "quote's") == [ticket]


def test_similar_resolved_tickets(support: Department, agent: Agent) -> None:
    old = make_ticket(department=support, subject="Printer paper jam")
    Ticket.objects.filter(pk=old.pk).update(status="resolved")
    make_ticket(department=support, subject="Printer toner")  # still open
    current = make_ticket(department=support, subject="Paper jam again")
    assert resolved_tickets_like(ticket=current, agent=agent) == [old]


@pytest.mark.parametrize("text", ["打印机", "مشکل", "drukarka", "printer"])
@pytest.mark.parametrize(
    ("table", "index"), [("ticket", "ticket_search"), ("message", "message_search")]
)
def test_queries_can_use_the_gin_indexes(
    in_alpha: object, text: str, table: str, index: str
) -> None:
    """The query is folded to a constant tsquery at planning time, so GIN applies."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            f"EXPLAIN SELECT 1 FROM ticketing_{table} "
            "WHERE search_vector @@ caseway_tsquery(%s, true)",
            [text],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {index}" in plan


def test_broad_queries_rank_the_newest_matches(
    support: Department, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ticketing import search

    monkeypatch.setattr(search, "ENOUGH_MATCHES", 3)
    old = make_ticket(department=support, subject="Toner empty")
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    in_reply = make_ticket(department=support, subject="Something else")
    reply_from_customer(ticket=in_reply, contact=in_reply.requester, body="the toner again")
    middle = make_ticket(department=support, subject="Toner smudges")
    newest = make_ticket(department=support, subject="Toner toner toner")
    found = _search(agent, "toner")
    assert old not in found  # three matches in the last two days are enough
    assert found[-1] == in_reply  # a reply counts less than the subject
    assert set(found) == {in_reply, middle, newest}
    monkeypatch.setattr(search, "ENOUGH_MATCHES", 4)
    widened = _search(agent, "toner")  # not enough in two days or two weeks: a quarter
    assert old in widened
    assert widened[-1] == in_reply


def test_the_migration_holds_the_current_rules() -> None:
    """search_sql.py generates the SQL; the migration keeps a frozen copy. When the rules
    change, a new migration must replace the functions (and this test points at it)."""
    import importlib

    from ticketing import search_sql

    migration = importlib.import_module("ticketing.migrations.0004_search")
    assert migration.CREATE_FUNCTIONS == search_sql.CREATE_FUNCTIONS


@pytest.mark.parametrize("text", ["打印机", "paper jam", "رمز حساب", "faktura dostawa"])
def test_queries_of_several_terms_still_use_the_gin_indexes(in_alpha: object, text: str) -> None:
    """Several terms reach the planner as an InitPlan (their estimate would otherwise be
    the product of the terms' frequencies); the GIN indexes must still drive."""
    from ticketing.search import matching_between_sql, search_term_count

    assert search_term_count(text) == 2
    sql, params = matching_between_sql(text, None, None, words=2).as_sql(None, connection)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "InitPlan" in plan
    assert "Bitmap Index Scan on ticket_search" in plan
    assert "Bitmap Index Scan on message_search" in plan


def test_search_term_count(in_alpha: object) -> None:
    from ticketing.search import search_term_count

    assert search_term_count("printer") == 1
    assert search_term_count("打印") == 1
    assert search_term_count("打印机坏了") == 4  # bigrams
    assert search_term_count("!!  &|") == 0


def test_the_next_slice_reaches_as_far_as_the_rate_so_far_requires() -> None:
    from datetime import timedelta

    from ticketing.search import ENOUGH_MATCHES, SLICE_MARGIN, _next_slice

    day = timedelta(days=1)
    assert _next_slice(2 * day, 0) == 14 * day  # nothing yet: the next listed slice
    assert _next_slice(14 * day, 0) == 92 * day
    assert _next_slice(366 * day, 0) is None
    # 20 of the 100 wanted in two days: ten days should hold them, with the margin
    assert _next_slice(2 * day, ENOUGH_MATCHES // 5) == 10 * day * SLICE_MARGIN
    assert _next_slice(2 * day, 1) == 250 * day
    assert _next_slice(14 * day, 1) is None  # past the longest slice: all of time


def test_a_narrow_scope_finds_its_older_matches_past_other_departments_recent_ones(
    support: Department, engineering: Department, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ticketing import search

    monkeypatch.setattr(search, "ENOUGH_MATCHES", 2)
    for _ in range(3):
        make_ticket(department=engineering, subject="Toner leaks")  # recent, not visible
    mine_old = make_ticket(department=support, subject="Toner leaks")
    Ticket.objects.filter(pk=mine_old.pk).update(created_at=timezone.now() - timedelta(days=20))
    mine_new = make_ticket(department=support, subject="Toner again")
    reply_from_customer(ticket=mine_new, contact=mine_new.requester, body="toner everywhere")
    # the reply and the subject match in the same slice: one candidate, not two
    assert _search(agent, "toner") == [mine_new, mine_old]
    assert _search(agent, "toner leaks") == [mine_old]


def test_broad_words_are_walked_and_find_what_the_index_finds(
    support: Department, engineering: Department, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API's unranked matches: a word in many of the newest tickets is checked row by
    row along the list's order, a rarer one found through the GIN indexes; both give the
    same tickets (replies and notes, the ticket number, the agent's scope included)."""
    from ticketing import permissions, search, selectors

    # Broad: in the own text of two of the newest ten tickets.
    monkeypatch.setattr(search, "BROAD_MATCH_SAMPLE", 10)
    monkeypatch.setattr(search, "BROAD_MATCH_SHARE", 0.2)
    in_subject = make_ticket(department=support, subject="Printer jams")
    in_reply = make_ticket(department=support, subject="Cannot log in")
    reply_from_customer(ticket=in_reply, contact=in_reply.requester, body="the printer too")
    in_note = make_ticket(department=support, subject="Slow laptop")
    note_add(ticket=in_note, agent=agent, body="printer driver?")
    hidden = make_ticket(department=engineering, subject="Printer in the lab")
    make_ticket(department=support, subject="Password reset")
    assert not permissions.can_view(agent, hidden)

    def found(text: str, *, broad: bool) -> list[int]:
        tickets = selectors.ticket_list(agent=agent).order_by("-id")
        return [t.pk for t in search.tickets_matching(tickets, text, broad=broad)]

    expected = sorted([in_subject.pk, in_reply.pk, in_note.pk], reverse=True)
    assert found("printer", broad=False) == expected
    assert found("printer", broad=True) == expected
    number = f"#{in_note.number}"
    assert found(number, broad=True) == found(number, broad=False) == [in_note.pk]
    assert found("xylophone", broad=True) == found("xylophone", broad=False) == []

    assert search.matches_broadly("printer")  # two subjects (one hidden from the agent)
    assert not search.matches_broadly("xylophone")
    assert not search.matches_broadly("password")  # one of the newest ten: not two
    assert not search.matches_broadly("   ")
