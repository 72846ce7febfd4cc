"""The outbox: every notification is a row written in the transaction of the change
that caused it, then delivered by a task after commit (tenant schema)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In the app")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed for good")


class Notification(models.Model):
    event_kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "ticketing.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    #: Email address or phone number (in-app notifications use ``recipient``).
    address = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    #: One notification per event, channel and recipient, however often it is retried.
    idempotency_key = models.CharField(max_length=200, unique=True)
    #: Email threading: this message's Message-ID and the ticket's thread root.
    message_id = models.CharField(max_length=255, blank=True)
    thread_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_due",
                condition=Q(status="queued"),
            ),
            models.Index(fields=["recipient", "channel", "read_at"], name="in_app_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.event_kind} → {self.channel}:{self.address or self.recipient_id}"


class NotificationTemplate(models.Model):
    """A tenant's own wording for an event, channel and language (defaults are built in)."""

    event_kind = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["event_kind", "channel", "language"], name="template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_kind}/{self.channel}/{self.language}"


class InboundStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (auto-reply, bounce or bulk)")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Could not be processed")


class InboundEmail(models.Model):
    """Every message received for the tenant, kept raw whatever happened to it, so
    nothing is silently dropped: admins see the refused and failed ones."""

    raw = models.BinaryField()
    sender = models.CharField(max_length=254, blank=True)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=InboundStatus.choices)
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_time")
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.status})"


class Audience(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    STAFF = "staff", _("Staff")


class NotificationSwitch(models.Model):
    """A tenant admin's change to the defaults: turn a channel off (or back on) for an
    event and audience. Without a row, the built-in rules apply."""

    event_kind = models.CharField(_("event"), max_length=40)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["event_kind", "audience", "channel"], name="switch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_kind}/{self.audience}/{self.channel}: {self.enabled}"


class Announcement(models.Model):
    """A message a tenant admin shows on the dashboards of staff or of customers."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering: ClassVar[list[str]] = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class AgentSmsAlerts(models.Model):
    """An agent's wish to hear about new and assigned tickets by SMS too (experts in the
    field), on this number. Without a row, agents get email and in-app alerts only."""

    agent = models.OneToOneField(
        "ticketing.Agent", on_delete=models.CASCADE, related_name="sms_alerts"
    )
    phone = models.CharField(_("mobile number"), max_length=40)
    ticket_created = models.BooleanField(_("new tickets"), default=True)
    ticket_assigned = models.BooleanField(_("tickets assigned to me"), default=True)

    class Meta:
        verbose_name = _("SMS alerts")
        verbose_name_plural = _("SMS alerts")

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.phone}"


class SmsChannel(models.Model):
    """The tenant's SMS sender line and, optionally, its own Kavenegar account (one row).
    With its own API key, SMS go through that account and do not count against the
    plan's SMS quota; without one, through the platform's gateway (with this sender
    line, when set, in place of the platform's)."""

    sender = models.CharField(_("sender line"), max_length=20, blank=True)
    #: Encrypted (controlplane.secrets); never shown back.
    kavenegar_api_key = models.TextField(_("Kavenegar API key"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SMS channel")
        verbose_name_plural = _("SMS channel")

    def __str__(self) -> str:
        return f"SMS from {self.sender or 'the platform line'}"
