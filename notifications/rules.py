"""Who hears about which ticket event, on which channel (the defaults of a help desk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accounts.models import User
from notifications.models import AgentSmsAlerts
from tenants.config_cache import config_cache
from ticketing.events import PublishedEvent
from ticketing.models import Agent, Message, PreferredChannel, Ticket


@dataclass(frozen=True)
class Recipient:
    key: str  # which wording (see templates_default)
    user: User | None
    email: str
    phone: str
    language: str
    channels: tuple[str, ...]  # email, sms, in_app
    #: Agents get the ticket's link to the console; customers to their portal page.
    is_staff: bool


def _customer(ticket: Ticket, key: str) -> list[Recipient]:
    contact = ticket.requester
    if contact is None or ticket.is_internal:
        return []
    channel = contact.preferred_channel
    if channel == PreferredChannel.SMS and not contact.phone:
        channel = PreferredChannel.EMAIL
    if channel == PreferredChannel.EMAIL and not contact.email:
        return []
    language = contact.language or (contact.user.language if contact.user else "") or ""
    return [Recipient(key, contact.user, contact.email, contact.phone, language, (channel,), False)]


#: Alerts an agent may also want by SMS, and the switch of ``AgentSmsAlerts`` for each.
SMS_ALERTS = {"agent.ticket_created": "ticket_created", "agent.assigned": "ticket_assigned"}


def _sms_phone(agent: Agent, key: str) -> str:
    """The agent's number if they asked for this alert by SMS, else ""."""
    switch = SMS_ALERTS.get(key)
    if switch is None:
        return ""
    alerts = sms_alerts_by_agent().get(agent.pk)
    return (
        str(alerts.phone) if alerts is not None and alerts.phone and getattr(alerts, switch) else ""
    )


def sms_alerts_by_agent() -> dict[int, AgentSmsAlerts]:
    """Agents' SMS alert wishes (few rows), cached per tenant (see ``notifications.apps``)."""
    return config_cache.get(
        "notifications:sms-alerts",
        lambda: {alerts.agent_id: alerts for alerts in AgentSmsAlerts.objects.all()},
    )


def agent_recipients(
    agents: list[Agent], key: str, *, exclude_user_id: int | None
) -> list[Recipient]:
    recipients = []
    for a in agents:
        if not (a.is_active and a.user.is_active and a.user_id != exclude_user_id):
            continue
        phone = _sms_phone(a, key)
        channels = ("email", "in_app", "sms") if phone else ("email", "in_app")
        recipients.append(
            Recipient(key, a.user, a.user.email, phone, a.user.language or "", channels, True)
        )
    return recipients


@dataclass(frozen=True)
class DepartmentAlert:
    """Every agent of a department hears about the event: written as one outbox row in
    the change's transaction and turned into a row per agent and channel by the
    delivery worker (``notifications.services.notification_fan_out``), so that opening
    a ticket does not read and write the whole department."""

    key: str
    department_id: int
    exclude_user_id: int | None


def department_agents(department_id: int) -> list[Agent]:
    return list(Agent.objects.filter(departments=department_id).select_related("user"))


def department_has_agents(department_id: int) -> bool:
    """Whether anybody works in the department: one that nobody does gets no alert row
    to fan out to nobody. Only the answer yes is cached (per tenant and process): it can
    go stale only by agents leaving, and then the worker finds fewer agents or none."""
    staffed: set[int] = config_cache.get("notifications:staffed-departments", set)
    if department_id in staffed:
        return True
    if not Agent.departments.through.objects.filter(department_id=department_id).exists():
        return False
    staffed.add(department_id)
    return True


def _handlers_of(
    ticket: Ticket, key: str, *, exclude_user_id: int | None
) -> Sequence[Recipient | DepartmentAlert]:
    """The assignee, or else the department's agents."""
    if ticket.assignee_id and ticket.assignee is not None:
        return agent_recipients([ticket.assignee], key, exclude_user_id=exclude_user_id)
    if not department_has_agents(ticket.department_id):
        return []
    return [DepartmentAlert(key, ticket.department_id, exclude_user_id)]


def recipients_for(
    event: PublishedEvent, ticket: Ticket, *, message: Message | None = None
) -> Sequence[Recipient | DepartmentAlert]:
    """``message``: the event's message, when the caller has read it already."""
    kind, after, actor = event.kind, event.after, event.actor_id
    if kind == "ticket.created":
        if after.get("assignee"):  # opened for an assignee, who hears "assigned" next
            return _customer(ticket, "customer.ticket_created")
        return [
            *_customer(ticket, "customer.ticket_created"),
            *_handlers_of(ticket, "agent.ticket_created", exclude_user_id=actor),
        ]
    if kind in ("ticket.assigned", "ticket.transferred") and ticket.assignee is not None:
        return agent_recipients([ticket.assignee], "agent.assigned", exclude_user_id=actor)
    if kind == "message.created" and after.get("public"):
        if message is None:
            message = Message.objects.filter(pk=int(after.get("message") or 0)).first()
        if message is None:
            return []
        if message.from_staff:
            return _customer(ticket, "customer.reply")
        return _handlers_of(ticket, "agent.reply", exclude_user_id=actor)
    if kind == "note.mentioned":
        mentioned = list(
            Agent.objects.filter(pk__in=after.get("agents", [])).select_related("user")
        )
        return agent_recipients(mentioned, "agent.mentioned", exclude_user_id=actor)
    if kind == "ticket.status_changed" and after.get("status") == "resolved":
        return _customer(ticket, "customer.resolved")
    if (
        kind == "ticket.status_changed"
        and after.get("status") == "closed"
        and not ticket.merged_into_id
    ):
        return _customer(ticket, "customer.closed")
    if kind == "ticket.reopened":
        return _handlers_of(ticket, "agent.reopened", exclude_user_id=actor)
    if kind in ("sla.warned", "sla.breached", "sla.escalated"):
        agents = list(Agent.objects.filter(pk__in=after.get("notify", [])).select_related("user"))
        return agent_recipients(agents, "agent.sla", exclude_user_id=None)
    return []
