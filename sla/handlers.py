"""The SLA's subscriptions to ticket events. They run inside the ticket's transaction,
so a deadline is written (or moved) exactly when the ticket change commits."""

from __future__ import annotations

from sla.models import SlaPolicy, TicketSla
from tenants.config_cache import config_cache
from ticketing import events
from ticketing.events import PublishedEvent
from ticketing.models import Message, Ticket, TicketEvent

REMATCH_KINDS = (
    "ticket.priority_changed",
    "ticket.category_changed",
    "ticket.transferred",
    "ticket.type_changed",
    "ticket.plan_changed",
)


def _ticket_and_time(event: PublishedEvent) -> tuple[Ticket, object]:
    # In the ticket's transaction the service's instance is current: no second read.
    ticket = event.ticket or Ticket.objects.select_related("requester").get(pk=event.ticket_id)
    at = event.at or TicketEvent.objects.values_list("at", flat=True).get(pk=event.event_id)
    return ticket, at


def _has_sla(event: PublishedEvent) -> bool:
    """Tickets no policy matched need no work at all (one cheap query; none when the
    tenant has no policy, so no ticket can have one)."""
    if not config_cache.get("sla:any-policy", SlaPolicy.objects.exists):
        return False
    return TicketSla.objects.filter(ticket_id=event.ticket_id, policy__isnull=False).exists()


def on_created(event: PublishedEvent) -> None:
    from sla.services import sla_ticket_created

    ticket, at = _ticket_and_time(event)
    sla_ticket_created(ticket, at=at)  # type: ignore[arg-type]


def on_rematch(event: PublishedEvent) -> None:
    from sla.services import active_policies, sla_rematch

    if not active_policies():
        return
    ticket, at = _ticket_and_time(event)
    sla_rematch(ticket, at=at, reason=event.kind)  # type: ignore[arg-type]


def on_status(event: PublishedEvent) -> None:
    from sla.services import sla_status_changed

    if not _has_sla(event):
        return
    ticket, at = _ticket_and_time(event)
    sla_status_changed(ticket, at=at, before=str(event.before.get("status", "")))  # type: ignore[arg-type]


def on_message(event: PublishedEvent) -> None:
    from sla.services import sla_agent_replied, sla_customer_replied

    if not event.after.get("public") or not _has_sla(event):
        return
    message = event.message  # the service's own, when at hand
    if message is None or message.pk != event.after["message"]:
        message = Message.objects.only("from_staff", "ticket_id").get(pk=event.after["message"])
    ticket, at = _ticket_and_time(event)
    if message.from_staff:
        sla_agent_replied(ticket, at=at)  # type: ignore[arg-type]
    else:
        sla_customer_replied(ticket, at=at)  # type: ignore[arg-type]


def register() -> None:
    events.subscribe("ticket.created", on_created, in_transaction=True)
    for kind in REMATCH_KINDS:
        events.subscribe(kind, on_rematch, in_transaction=True)
    events.subscribe("ticket.status_changed", on_status, in_transaction=True)
    events.subscribe("ticket.reopened", on_status, in_transaction=True)
    events.subscribe("message.created", on_message, in_transaction=True)
