"""Reads of the ticketing core: the queues an agent works, look-ups, the timeline.

Every list is scoped by ``permissions.visible_tickets_filter`` and loads what its rows
show in a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from ticketing import permissions
from ticketing.models import (
    Agent,
    Contact,
    Message,
    MessageKind,
    SavedView,
    SavedViewVisibility,
    Ticket,
    TicketEvent,
)
from ticketing.models.tickets import ACTIVE_STATUSES
from ticketing.services.people import phone_digits


def _tickets_for(agent: Agent) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(permissions.visible_tickets_filter(agent))
        .filter(merged_into__isnull=True)
        .select_related("department", "priority", "assignee__user", "requester", "category")
    )


@contextmanager
def joins_in_written_order() -> Iterator[None]:
    """Queries run inside plan their joins in the order the SQL writes them.

    For a ticket list whose rows are chosen by the ticket's own columns and whose joins
    are the ``select_related`` look-ups by primary key, the written order (tickets
    first, then each row they name) is the plan PostgreSQL picks anyway, but finding it
    among every order of eight tables costs it several milliseconds per query, more
    than running it. Not for queries that join another table to filter (an
    organization's tickets, full-text matches): there the best order starts elsewhere.
    The setting is local to a transaction (opened here if none is) and put back
    before the block ends, so nothing after it is affected.
    """
    enclosed = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
        if enclosed:
            # The enclosing transaction goes on: put the setting back. (Without one,
            # the commit closing this block ends it; an exception rolls it back.)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")


def tickets_mine(*, agent: Agent) -> QuerySet[Ticket]:
    """My open tickets, most urgent first."""
    return (
        _tickets_for(agent)
        .filter(assignee=agent, status__in=ACTIVE_STATUSES)
        .order_by("-priority_level", "created_at")
    )


def tickets_unassigned(*, agent: Agent) -> QuerySet[Ticket]:
    """Unassigned open tickets of my departments, oldest first within priority."""
    tickets = _tickets_for(agent).filter(assignee__isnull=True, status__in=ACTIVE_STATUSES)
    if not agent.is_admin:
        tickets = tickets.filter(department_id__in=permissions.department_ids(agent))
    return tickets.order_by("-priority_level", "created_at")


def tickets_open(*, agent: Agent, department_id: int | None = None) -> QuerySet[Ticket]:
    """All open tickets I may see, by priority then age."""
    tickets = _tickets_for(agent).filter(status__in=ACTIVE_STATUSES)
    if department_id is not None:
        tickets = tickets.filter(department_id=department_id)
    return tickets.order_by("-priority_level", "created_at")


def ticket_list(*, agent: Agent, filters: dict[str, Any] | None = None) -> QuerySet[Ticket]:
    """Tickets with the usual filters (status, department, assignee, requester,
    priority, category, product, tag, created range)."""
    filters = filters or {}
    tickets = _tickets_for(agent)
    simple = {
        "status": "status",
        "department": "department_id",
        "assignee": "assignee_id",
        "requester": "requester_id",
        "priority": "priority_id",
        "category": "category_id",
        "product": "product_id",
        "organization": "requester__organization_id",
    }
    for key, lookup in simple.items():
        value = filters.get(key)
        if value not in (None, ""):
            tickets = tickets.filter(**{lookup: value})
    if filters.get("tag"):
        tickets = tickets.filter(tags__contains=[str(filters["tag"]).casefold()])
    if filters.get("created_after"):
        tickets = tickets.filter(created_at__gte=filters["created_after"])
    if filters.get("created_before"):
        tickets = tickets.filter(created_at__lt=filters["created_before"])
    return tickets.order_by("-priority_level", "created_at")


def ticket_get(*, agent: Agent, pk: int) -> Ticket | None:
    return _tickets_for(agent).filter(pk=pk).first()


def ticket_by_number(*, agent: Agent, number: int) -> Ticket | None:
    return _tickets_for(agent).filter(number=number).first()


def waiting_since(ticket: Ticket) -> datetime:
    """Since when the ticket has waited for the help desk: the customer's last word
    after our last reply, or its arrival in the queue."""
    candidates = [ticket.dispatched_at or ticket.created_at]
    if ticket.last_customer_reply_at and (
        ticket.last_agent_reply_at is None
        or ticket.last_customer_reply_at > ticket.last_agent_reply_at
    ):
        candidates.append(ticket.last_customer_reply_at)
    return max(candidates)


def waiting_time_seconds(ticket: Ticket, *, at: datetime) -> int:
    return max(0, int((at - waiting_since(ticket)).total_seconds()))


def ticket_timeline(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "id")


def ticket_conversation(*, ticket: Ticket, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.prefetch_related("attachments").order_by("created_at", "id")
    if not include_internal:
        messages = messages.exclude(kind=MessageKind.INTERNAL_NOTE)
    return messages


def tickets_of_contact(*, contact: Contact, state: str = "open") -> QuerySet[Ticket]:
    """A customer's tickets: ``open``, ``awaiting`` (waiting on them) or ``closed``."""
    tickets = Ticket.objects.filter(
        Q(requester=contact) | Q(cc_contacts=contact), is_internal=False, merged_into__isnull=True
    ).select_related("department", "priority")
    if state == "awaiting":
        tickets = tickets.filter(status="pending")
    elif state == "closed":
        tickets = tickets.filter(status__in=("resolved", "closed"))
    else:
        tickets = tickets.filter(status__in=("new", "open", "on_hold"))
    return tickets.distinct().order_by("-updated_at")


def _contact_exact_match(query: str) -> Q:
    digits = phone_digits(query)
    exact = Q(employee_number=query) | Q(email_lower=query.casefold())
    if len(digits) >= 7:  # with or without country code / leading zero
        exact |= Q(phone_digits_reversed__startswith=digits.lstrip("0")[::-1])
    return exact


def _contact_name_prefixes(query: str) -> SearchQuery:
    words = [word.replace("'", "''").replace("\\", "") for word in query.split()]
    prefix_query = " & ".join(f"'{word}':*" for word in words if word)
    return SearchQuery(prefix_query, search_type="raw", config="simple")


def contacts_lookup(*, query: str, limit: int = 20) -> QuerySet[Contact]:
    """Find customers by employee number, email, phone or (part of) their name; an exact
    match on the first three hides the name matches."""
    query = query.strip()
    contacts = Contact.objects.select_related("organization")
    if not query:
        return contacts.none()
    by_exact = contacts.annotate(email_lower=Lower("email")).filter(_contact_exact_match(query))
    if by_exact.exists():
        return by_exact[:limit]
    return (
        contacts.annotate(name_search=SearchVector("full_name", config="simple"))
        .filter(name_search=_contact_name_prefixes(query))
        .order_by("full_name")[:limit]
    )


def contact_ids_matching(*, query: str, limit: int) -> QuerySet[Any, Any]:
    """Ids of up to ``limit`` customers whose employee number, email or phone is
    ``query`` or whose name has its words as prefixes, as one lazy subquery (no look-up
    of its own, for conditions such as a ticket search's requester)."""
    query = query.strip()
    if not query:
        return Contact.objects.none().values("id")
    return (
        Contact.objects.annotate(
            email_lower=Lower("email"),
            name_search=SearchVector("full_name", config="simple"),
        )
        .filter(_contact_exact_match(query) | Q(name_search=_contact_name_prefixes(query)))
        .order_by("id")
        .values("id")[:limit]
    )


def saved_views_visible(*, agent: Agent) -> QuerySet[SavedView]:
    """The agent's own views and the views shared with them: with all staff, or with one
    of their departments (admins see every department's). Never another agent's private
    view."""
    shared_department = Q(visibility=SavedViewVisibility.DEPARTMENT)
    if not agent.is_admin:
        shared_department &= Q(department_id__in=permissions.department_ids(agent))
    return (
        SavedView.objects.filter(
            Q(owner=agent) | Q(visibility=SavedViewVisibility.EVERYONE) | shared_department
        )
        .select_related("owner__user", "department")
        .order_by("name", "pk")
    )


def saved_view_get(*, agent: Agent, pk: int) -> SavedView | None:
    return saved_views_visible(agent=agent).filter(pk=pk).first()
