"""Who may see and change which tickets.

An agent sees the tickets of their departments, tickets assigned to them or that they
watch, and internal tickets they opened; a supervisor also manages the departments they
supervise; a tenant admin sees and manages everything. A customer sees the tickets they
requested or are copied on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ticketing.errors import PermissionDenied
from ticketing.models import Agent, AgentRole, Contact, Department, Ticket


def active_agent(user: Any) -> Agent | None:
    """The user's agent record when they are active staff, else None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        agent: Agent = user.agent
    except Agent.DoesNotExist:
        return None
    return agent if agent.is_active else None


def contact_of(user: Any) -> Contact | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        contact: Contact = user.contact
    except Contact.DoesNotExist:
        return None
    return contact


def department_ids(agent: Agent) -> set[int]:
    ids = getattr(agent, "_department_ids", None)
    if ids is None:
        ids = set(agent.departments.values_list("id", flat=True))
        ids |= set(agent.supervised_departments.values_list("id", flat=True))
        agent._department_ids = ids  # type: ignore[attr-defined]
    return ids


def visible_tickets_filter(agent: Agent) -> Q:
    if agent.role == AgentRole.ADMIN:
        return Q()
    watched = Ticket.watchers.through.objects.filter(agent_id=agent.pk).values("ticket_id")
    return (
        Q(department_id__in=department_ids(agent))
        | Q(assignee_id=agent.pk)
        | Q(pk__in=watched)
        | Q(is_internal=True, created_by_id=agent.user_id)
    )


def can_view(agent: Agent, ticket: Ticket) -> bool:
    if agent.role == AgentRole.ADMIN:
        return True
    return (
        ticket.department_id in department_ids(agent)
        or ticket.assignee_id == agent.pk
        or (ticket.is_internal and ticket.created_by_id == agent.user_id)
        or ticket.watchers.filter(pk=agent.pk).exists()
    )


def require_view(agent: Agent | None, ticket: Ticket) -> Agent:
    if agent is None or not can_view(agent, ticket):
        raise PermissionDenied("You cannot see this ticket.")
    return agent


def can_manage(agent: Agent, department: Department) -> bool:
    """Supervisors manage the departments they supervise; admins manage all."""
    if agent.role == AgentRole.ADMIN:
        return True
    if agent.role != AgentRole.SUPERVISOR:
        return False
    return agent.supervised_departments.filter(pk=department.pk).exists()


def require_admin(agent: Agent | None) -> Agent:
    if agent is None or agent.role != AgentRole.ADMIN:
        raise PermissionDenied("Only a tenant admin can do this.")
    return agent


def contact_can_view(contact: Contact, ticket: Ticket) -> bool:
    if ticket.is_internal:
        return False
    return ticket.requester_id == contact.pk or ticket.cc_contacts.filter(pk=contact.pk).exists()
