"""Who changed what: the tenant admin's changes (tenant schema) and the platform
operators' actions (public schema). The same table lives in both."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    #: Kept when the user is gone: the email at the time of the change.
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    #: ``<thing>.<verb>``, e.g. ``department.created``, ``tenant.suspended``.
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target = models.CharField(_("what"), max_length=250, blank=True)
    #: ``{field: [before, after]}`` as text.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"
