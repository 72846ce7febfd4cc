"""Ticketing rules a tenant admin sets (one row per tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HelpdeskSettings(models.Model):
    reopen_window_days = models.PositiveIntegerField(
        _("reopen window (days)"),
        default=14,
        help_text=_(
            "A customer reply within this many days reopens a closed ticket; later "
            "replies open a new ticket linked to it."
        ),
    )
    auto_close_resolved_days = models.PositiveIntegerField(
        _("close resolved tickets after (days)"), default=7
    )
    auto_close_pending_days = models.PositiveIntegerField(
        _("close tickets waiting on the customer after (days)"), default=14
    )
    lock_minutes = models.PositiveIntegerField(_("ticket lock lasts (minutes)"), default=15)
    customers_can_set_priority = models.BooleanField(
        _("customers may choose a priority"), default=False
    )
    require_registration_approval = models.BooleanField(
        _("new registrations need an admin's approval"), default=False
    )
    allow_guest_tickets = models.BooleanField(_("guests may submit tickets"), default=True)

    class Meta:
        verbose_name = _("help desk settings")
        verbose_name_plural = _("help desk settings")

    def __str__(self) -> str:
        return "help desk settings"

    @classmethod
    def current(cls) -> HelpdeskSettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings
