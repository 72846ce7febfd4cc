"""Saved views of the console's ticket list: a named filter, sort and search."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SavedViewVisibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    DEPARTMENT = "department", _("A department")
    EVERYONE = "everyone", _("All staff")


class SavedView(models.Model):
    """``filters`` holds the list's query parameters (``q``, ``status``, ``department``…),
    validated by ``ticketing.services.saved_views`` before they are stored."""

    owner = models.ForeignKey(
        "ticketing.Agent", on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    visibility = models.CharField(
        _("shared with"),
        max_length=12,
        choices=SavedViewVisibility.choices,
        default=SavedViewVisibility.PRIVATE,
    )
    department = models.ForeignKey(
        "ticketing.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering: ClassVar[list[str]] = ["name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name"),
            models.CheckConstraint(
                condition=Q(visibility="department", department__isnull=False)
                | (~Q(visibility="department") & Q(department__isnull=True)),
                name="saved_view_department_when_shared_with_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name
