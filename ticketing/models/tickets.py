"""Tickets, their timeline, priorities, ratings and canned responses."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ticketing.search_sql import search_vector

#: A PostgreSQL sequence in each tenant schema; numbers are never reused.
TICKET_NUMBER_SEQUENCE = "ticketing_ticket_number_seq"
FIRST_TICKET_NUMBER = 1000


class Priority(models.Model):
    """Five levels a tenant can rename; ``level`` 1 is the lowest."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering: ClassVar[list[str]] = ["level"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the viewer's language when it is one of the shipped defaults."""
        return gettext(self.name)


# The shipped default names, for the translation catalogues (see migration 0002).
DEFAULT_PRIORITY_NAMES = (
    gettext_noop("Lowest"),
    gettext_noop("Low"),
    gettext_noop("Normal"),
    gettext_noop("High"),
    gettext_noop("Highest"),
)


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting on customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam / invalid")


#: Statuses in which a ticket still needs work from the help desk.
ACTIVE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
#: Statuses that count against an agent's load and a customer's open-ticket limit.
OPEN_STATUSES = ACTIVE_STATUSES


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    QUESTION = "question", _("Question")
    REQUEST = "request", _("Request")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    INTERNAL = "internal", _("Internal")
    SMS = "sms", _("SMS")


# Spelled as ORs, not IN: PostgreSQL prints an IN-list predicate in a form that it parses
# back differently, so a schema replayed from pg_dump would differ from a migrated one.
_IS_ACTIVE = Q(status="new") | Q(status="open") | Q(status="pending") | Q(status="on_hold")


class Ticket(models.Model):
    #: Drawn from the tenant's sequence by the INSERT itself (no round trip of its own).
    number = models.BigIntegerField(
        _("number"),
        unique=True,
        editable=False,
        db_default=models.Func(
            models.Value(TICKET_NUMBER_SEQUENCE),
            function="nextval",
            output_field=models.BigIntegerField(),
        ),
    )
    subject = models.CharField(_("subject"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "ticketing.Department",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("department"),
    )
    category = models.ForeignKey(
        "ticketing.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("service category"),
    )
    ticket_type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.QUESTION
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("priority")
    )
    #: Copy of ``priority.level``, so queues sort by priority from an index.
    priority_level = models.PositiveSmallIntegerField(default=3, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    requester = models.ForeignKey(
        "ticketing.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("requester"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        "ticketing.Agent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    watchers = models.ManyToManyField(
        "ticketing.Agent", related_name="watched_tickets", blank=True, verbose_name=_("watchers")
    )
    cc_contacts = models.ManyToManyField(
        "ticketing.Contact", related_name="cc_tickets", blank=True, verbose_name=_("CC")
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    product = models.ForeignKey(
        "ticketing.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("product"),
    )
    form = models.ForeignKey(
        "ticketing.TicketForm", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)

    #: The ticket this one was merged into; its conversation now lives there.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_tickets"
    )
    #: The problem this incident is linked to.
    problem = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    #: The closed ticket this one follows up (a reply after the reopen window).
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )

    locked_by = models.ForeignKey(
        "ticketing.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    #: Secret part of a guest's signed link; rotating it revokes old links.
    guest_access_key = models.CharField(max_length=32, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    #: When the ticket reached a department's queue (creation or last transfer).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_reply_at = models.DateTimeField(null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    #: Subject and description as search terms; replies and notes are on each Message.
    search_vector = models.GeneratedField(
        expression=search_vector(("subject", "A"), ("description", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The queues: open tickets by priority, then age, straight from an index.
            models.Index(
                "assignee",
                F("priority_level").desc(),
                "created_at",
                name="ticket_assignee_queue",
                condition=_IS_ACTIVE,
            ),
            models.Index(
                "department",
                F("priority_level").desc(),
                "created_at",
                name="ticket_unassigned_queue",
                condition=Q(assignee__isnull=True) & _IS_ACTIVE,
            ),
            models.Index(
                F("priority_level").desc(),
                "created_at",
                name="ticket_open_queue",
                condition=_IS_ACTIVE,
            ),
            models.Index(
                fields=["department", "status", "created_at"], name="ticket_department_status"
            ),
            models.Index(fields=["requester", "status"], name="ticket_requester_status"),
            # Lists by last change: the API's ordering=updated_at and a CRM's sync
            # (updated_after=<its last sync>) read a page from here, not a sort of all.
            models.Index(fields=["updated_at"], name="ticket_updated"),
            GinIndex(fields=["tags"], name="ticket_tags"),
            GinIndex(fields=["search_vector"], name="ticket_search"),
            # Reports read resolved tickets by resolution time.
            models.Index(
                fields=["resolved_at", "assignee"],
                name="ticket_resolved",
                condition=Q(resolved_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TicketEvent(models.Model):
    """One change to a ticket, written in the same transaction as the change. The
    timeline, the case log, reports and webhooks are read from these rows."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Who acted, as shown at the time: survives the user's deletion; "System" for tasks.
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["ticket", "at"], name="ticket_event_timeline"),
            models.Index(fields=["kind", "at"], name="ticket_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class SatisfactionRating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.ticket_id}"


class CannedResponse(models.Model):
    """A reusable reply with placeholders such as ``{{ customer.first_name }}``."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"))
    department = models.ForeignKey(
        "ticketing.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        verbose_name=_("department"),
    )
    #: Personal responses belong to one agent; shared ones have no owner.
    owner = models.ForeignKey(
        "ticketing.Agent", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering: ClassVar[list[str]] = ["title"]

    def __str__(self) -> str:
        return self.title
