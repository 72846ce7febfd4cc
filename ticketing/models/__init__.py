"""Ticketing models, one module per area; everything lives in the tenant's schema."""

from ticketing.models.catalogue import Product, SupportPlan
from ticketing.models.conversation import Attachment, Message, MessageKind
from ticketing.models.forms import FieldType, FormField, TicketForm
from ticketing.models.people import (
    Agent,
    AgentRole,
    AssignmentStrategy,
    Category,
    Contact,
    Department,
    Organization,
    OrganizationKind,
    PreferredChannel,
)
from ticketing.models.saved_views import SavedView, SavedViewVisibility
from ticketing.models.settings import HelpdeskSettings
from ticketing.models.tickets import (
    CannedResponse,
    Channel,
    Priority,
    SatisfactionRating,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)

__all__ = [
    "Agent",
    "AgentRole",
    "AssignmentStrategy",
    "Attachment",
    "CannedResponse",
    "Category",
    "Channel",
    "Contact",
    "Department",
    "FieldType",
    "FormField",
    "HelpdeskSettings",
    "Message",
    "MessageKind",
    "Organization",
    "OrganizationKind",
    "PreferredChannel",
    "Priority",
    "Product",
    "SatisfactionRating",
    "SavedView",
    "SavedViewVisibility",
    "SupportPlan",
    "Ticket",
    "TicketEvent",
    "TicketForm",
    "TicketStatus",
    "TicketType",
]
