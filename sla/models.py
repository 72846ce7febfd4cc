"""SLA configuration and per-ticket clocks (tenant schema)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def default_weekly_hours() -> dict[str, list[list[str]]]:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessCalendar(models.Model):
    """Working hours in a time zone, with holidays (own dates and a country preset)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    #: {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "sat": [["22:00", "06:00"]]}
    weekly_hours = models.JSONField(_("weekly working hours"), default=default_weekly_hours)
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        blank=True,
        help_text=_("A country code such as IR, PL or CN; its public holidays are days off."),
    )
    is_default = models.BooleanField(_("tenant default"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    #: Every year on the same day and month.
    recurring = models.BooleanField(_("every year"), default=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering: ClassVar[list[str]] = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DepartmentCalendar(models.Model):
    """A department working other hours than the tenant default."""

    department = models.OneToOneField(
        "ticketing.Department", on_delete=models.CASCADE, related_name="sla_calendar"
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.department_id} → {self.calendar_id}"


class VipCondition(models.TextChoices):
    ANY = "any", _("Any customer")
    VIP = "vip", _("VIP customers only")
    NOT_VIP = "not_vip", _("Non-VIP customers only")


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Ordered; the first active policy whose conditions all match a ticket applies.
    An empty condition matches everything."""

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    priorities = models.ManyToManyField("ticketing.Priority", blank=True, related_name="+")
    departments = models.ManyToManyField("ticketing.Department", blank=True, related_name="+")
    categories = models.ManyToManyField("ticketing.Category", blank=True, related_name="+")
    products = models.ManyToManyField("ticketing.Product", blank=True, related_name="+")
    organizations = models.ManyToManyField("ticketing.Organization", blank=True, related_name="+")
    plan_levels = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    channels = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    vip = models.CharField(max_length=10, choices=VipCondition.choices, default=VipCondition.ANY)

    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    first_response_business = models.BooleanField(default=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_business = models.BooleanField(default=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_business = models.BooleanField(default=True)
    #: Waiting on the customer always pauses the clocks; on hold only when this is set.
    pause_on_hold = models.BooleanField(_("pause while on hold"), default=False)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def target(self, kind: str) -> tuple[int | None, bool]:
        """(target in seconds or None, business time?) for a clock kind."""
        minutes = getattr(self, f"{kind}_minutes")
        return (minutes * 60 if minutes else None), bool(getattr(self, f"{kind}_business"))


class NotifyWhom(models.TextChoices):
    ASSIGNEE = "assignee", _("The assignee")
    SUPERVISORS = "supervisors", _("The department's supervisors")
    DEPARTMENT = "department", _("All agents of the department")
    EVERYONE = "everyone", _("All agents of the help desk")


class EscalationRule(models.Model):
    """A step on a clock: a warning at a share of the target, or an action at the
    breach or a while after it."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    clock = models.CharField(max_length=20, choices=ClockKind.choices)
    #: Warn at this share of the target (e.g. 75); None for breach levels.
    warn_at_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    #: For breach levels: minutes after the breach (0 = at the breach).
    after_breach_minutes = models.PositiveIntegerField(null=True, blank=True)
    notify = ArrayField(models.CharField(max_length=20, choices=NotifyWhom.choices), default=list)
    raise_priority = models.BooleanField(_("raise the priority"), default=False)
    transfer_to_department = models.ForeignKey(
        "ticketing.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    transfer_to_agent = models.ForeignKey(
        "ticketing.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(warn_at_percent__isnull=False, after_breach_minutes__isnull=True)
                | Q(warn_at_percent__isnull=True, after_breach_minutes__isnull=False),
                name="escalation_warn_or_breach",
            ),
            models.CheckConstraint(
                condition=Q(warn_at_percent__isnull=True) | Q(warn_at_percent__lt=100),
                name="escalation_warn_below_100",
            ),
        ]

    def __str__(self) -> str:
        if self.warn_at_percent is not None:
            return f"{self.clock}: warn at {self.warn_at_percent}%"
        return f"{self.clock}: breach + {self.after_breach_minutes} min"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


class SlaClock(models.Model):
    """One target's clock on one ticket. Time consumed so far is kept in seconds of the
    clock's own measure (business or calendar), so pausing and policy changes never lose
    or double count time."""

    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="+")
    business = models.BooleanField(default=True)
    target_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField()
    #: Start of the current running stretch (None while paused or finished).
    running_since = models.DateTimeField(null=True, blank=True)
    consumed_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    #: Keys of the escalation steps already fired ("warn:75", "breach:0", "breach:120"):
    #: each fires once, also across a policy re-match.
    fired_steps = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_clock_unique")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "due_at"], name="sla_clock_due")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.ticket_id}: {self.state}"


class TicketSla(models.Model):
    """What the SLA says about a ticket as a whole, for lists and reports."""

    ticket = models.OneToOneField("ticketing.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_late = models.BooleanField(_("closed late"), default=False)
    #: From dispatch to resolution, in business and in calendar time.
    handling_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    handling_calendar_seconds = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SLA of {self.ticket_id}"
