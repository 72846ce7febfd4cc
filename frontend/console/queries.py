"""Reads the console's ticket list needs on top of ``ticketing.selectors``: search and
sorting. The search box calls ``tickets_search``, so the full-text search of the
knowledge-base branch can replace its body without touching the pages."""

from __future__ import annotations

from django.db.models import Case, F, Min, Q, QuerySet, When
from django.db.models.functions import Coalesce, Greatest

from sla.models import ClockState
from ticketing.models import Ticket


def tickets_search(*, tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Tickets whose number, subject or requester matches ``query``."""
    query = query.strip().lstrip("#")
    if not query:
        return tickets
    match = (
        Q(subject__icontains=query)
        | Q(requester__full_name__icontains=query)
        | Q(requester__email__iexact=query)
    )
    if query.isdigit():
        match |= Q(number=int(query))
    return tickets.filter(match)


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
