"""Reads the console's ticket list needs on top of ``ticketing.selectors``: the search
box and sorting."""

from __future__ import annotations

from django.db.models import Case, F, Min, Q, QuerySet, When
from django.db.models.functions import Coalesce, Greatest

from sla.models import ClockState
from ticketing.models import Ticket
from ticketing.search import clean_query, keyword_filter
from ticketing.selectors import contact_ids_matching

#: Customers a search box query may name; their tickets join the keyword matches.
REQUESTERS_LIMIT = 50


def tickets_search(*, tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Tickets the search box finds: full-text over subject, description, replies and
    notes (``ticketing.search``), the ticket number (``#1042`` or ``1042``), or the
    requester found by name, email, phone or employee number. Combined with the list's
    filters and kept in its sort order."""
    query = clean_query(query)
    keyword = keyword_filter(query.lstrip("#"))
    if keyword is None:
        return tickets
    requesters = contact_ids_matching(query=query, limit=REQUESTERS_LIMIT)
    return tickets.filter(keyword | Q(requester_id__in=requesters))


def tickets_sorted(*, tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """``priority`` (then age, the default), ``sla`` (nearest running deadline first),
    ``waiting`` (longest waiting first), ``updated`` or ``newest``."""
    if sort == "sla":
        return tickets.annotate(
            next_due=Min("sla_clocks__due_at", filter=Q(sla_clocks__state=ClockState.RUNNING))
        ).order_by(F("next_due").asc(nulls_last=True), "-priority_level", "created_at")
    if sort == "waiting":
        return tickets.annotate(
            waiting_from=Greatest(
                Coalesce("dispatched_at", "created_at"),
                Case(
                    When(
                        Q(last_customer_reply_at__isnull=False)
                        & (
                            Q(last_agent_reply_at__isnull=True)
                            | Q(last_customer_reply_at__gt=F("last_agent_reply_at"))
                        ),
                        then=F("last_customer_reply_at"),
                    ),
                    default=Coalesce("dispatched_at", "created_at"),
                ),
            )
        ).order_by("waiting_from")
    if sort == "updated":
        return tickets.order_by("-updated_at")
    if sort == "newest":
        return tickets.order_by("-created_at")
    return tickets.order_by("-priority_level", "created_at")
