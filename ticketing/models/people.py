"""Who works in and with a help desk: departments, agents, organizations, contacts."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class AssignmentStrategy(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least open tickets")
    BEST_FIT = "best_fit", _("Best fit (skills, language, location, load)")


class Department(models.Model):
    """A queue of tickets and the agents who work it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    email_address = models.EmailField(_("email address"), blank=True)
    supervisors = models.ManyToManyField(
        "ticketing.Agent",
        related_name="supervised_departments",
        blank=True,
        verbose_name=_("supervisors"),
    )
    default_priority = models.ForeignKey(
        "ticketing.Priority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default priority"),
    )
    default_form = models.ForeignKey(
        "ticketing.TicketForm",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default ticket form"),
    )
    assignment_strategy = models.CharField(
        _("assignment"),
        max_length=20,
        choices=AssignmentStrategy.choices,
        default=AssignmentStrategy.MANUAL,
    )
    #: The agent round robin assigned last; the next assignment starts after them.
    last_assigned_agent = models.ForeignKey(
        "ticketing.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A service a customer asks about ("Compatibility", "Operational problems"),
    routed to a default department."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("default department"),
    )
    #: Skills an agent needs to handle this category well (used by best-fit assignment).
    skills = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering: ClassVar[list[str]] = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AgentRole(models.TextChoices):
    ADMIN = "admin", _("Tenant admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


def default_availability() -> dict[str, list[list[str]]]:
    """Monday to Friday, 09:00–17:00 in the agent's own time zone."""
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class Agent(models.Model):
    """A member of staff: an expert, engineer or admin who works tickets."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    departments = models.ManyToManyField(
        Department, related_name="agents", blank=True, verbose_name=_("departments")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=AgentRole.choices, default=AgentRole.AGENT
    )
    skills = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, verbose_name=_("skills")
    )
    languages = ArrayField(
        models.CharField(max_length=10), default=list, blank=True, verbose_name=_("languages")
    )
    service_area = models.CharField(_("location / service area"), max_length=120, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    #: {"mon": [["09:00", "17:00"]], ...} in the agent's time zone; overnight "22:00"–"06:00".
    weekly_availability = models.JSONField(_("weekly availability"), default=default_availability)
    out_of_office_from = models.DateTimeField(_("out of office from"), null=True, blank=True)
    out_of_office_until = models.DateTimeField(_("out of office until"), null=True, blank=True)
    max_open_tickets = models.PositiveIntegerField(
        _("maximum open tickets"), default=25, help_text=_("0 means no limit.")
    )
    signature = models.TextField(_("signature"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name()

    @property
    def is_admin(self) -> bool:
        return self.role == AgentRole.ADMIN


class OrganizationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    BRANCH = "branch", _("Branch")
    OFFICE = "office", _("Office")
    FACTORY = "factory", _("Factory")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.COMPANY
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    service_area = models.CharField(_("location / service area"), max_length=120, blank=True)
    default_engineer = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default engineer"),
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="organization_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Contact(models.Model):
    """A customer. ``user`` is set when they have a portal account; contacts created by
    phone, by email or as guests may have none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    #: Digits only, reversed: a number typed with or without its country code is a
    #: prefix of this, which an index serves.
    phone_digits_reversed = models.CharField(max_length=40, blank=True, editable=False)
    employee_number = models.CharField(_("employee number"), max_length=50, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    address = models.TextField(_("address"), blank=True)
    service_area = models.CharField(_("location / service area"), max_length=120, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=10,
        choices=PreferredChannel.choices,
        default=PreferredChannel.EMAIL,
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    account_expires_on = models.DateField(_("account expires on"), null=True, blank=True)
    is_suspended = models.BooleanField(_("suspended"), default=False)
    ticket_access_enabled = models.BooleanField(
        _("may open tickets"),
        default=True,
        help_text=_("Off until an admin approves the registration, when the tenant requires it."),
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering: ClassVar[list[str]] = ["full_name"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(Lower("email"), name="contact_email_lower"),
            models.Index(
                fields=["phone_digits_reversed"],
                name="contact_phone_suffix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["employee_number"], name="contact_employee_number"),
            # Word-prefix search on names ("car" finds "Carla Nowak", "now" too); the
            # 'simple' configuration keeps Persian and Chinese names intact.
            GinIndex(SearchVector("full_name", config="simple"), name="contact_name_search"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="contact_external_id_unique",
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="contact_email_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""
