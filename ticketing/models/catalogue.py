"""What a tenant sells and supports: products, and the support plans customers hold."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    sku = models.CharField(_("product code"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    #: When set, only customers (or their organizations) with a valid support plan for
    #: this product may open tickets about it.
    requires_support_plan = models.BooleanField(_("requires a support plan"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class SupportPlan(models.Model):
    """A customer's or an organization's entitlement to support for a product."""

    name = models.CharField(_("name"), max_length=120)
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="support_plans", verbose_name=_("product")
    )
    contact = models.ForeignKey(
        "ticketing.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_plans",
        verbose_name=_("customer"),
    )
    organization = models.ForeignKey(
        "ticketing.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_plans",
        verbose_name=_("organization"),
    )
    #: A tier the SLA policies can match on ("gold", "standard").
    level = models.CharField(_("level"), max_length=50, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(organization__isnull=False),
                name="support_plan_has_holder",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="support_plan_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.product})"
