"""API keys and idempotency records (tenant schema)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    ADMIN = "admin", _("Admin")


class ApiKey(models.Model):
    """A key a tenant admin creates for a CRM. The secret is shown once and only its
    SHA-256 is stored; the prefix stays visible to tell keys apart. The key acts as
    ``agent``: it sees what that agent sees, limited further by its scopes."""

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(models.CharField(max_length=10, choices=ApiScope.choices), default=list)
    agent = models.ForeignKey("ticketing.Agent", on_delete=models.CASCADE, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``; a retry with the
    same key gets it again instead of creating a duplicate."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.principal}:{self.key}"


WEBHOOK_EVENTS = (
    "ticket.created",
    "ticket.updated",
    "ticket.assigned",
    "ticket.transferred",
    "ticket.status_changed",
    "message.created",
    "sla.breached",
    "contact.created",
)


class WebhookSubscription(models.Model):
    """A URL a tenant admin subscribes to events. Deliveries are signed with ``secret``."""

    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(models.CharField(max_length=40), default=list)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one subscription, with every attempt's outcome."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=64)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}: {self.status}"
