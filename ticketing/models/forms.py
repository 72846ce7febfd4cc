"""Custom ticket forms: the fields a department or service asks for."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

FIELD_KEY = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$", _("Use lowercase letters, digits and underscores.")
)


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SELECT = "select", _("Select one")
    MULTI_SELECT = "multi_select", _("Select several")
    CHECKBOX = "checkbox", _("Checkbox")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FILE = "file", _("File")


class TicketForm(models.Model):
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        "ticketing.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forms",
        verbose_name=_("department"),
    )
    category = models.ForeignKey(
        "ticketing.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forms",
        verbose_name=_("service category"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ticket form")
        verbose_name_plural = _("ticket forms")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One field. Labels, help texts and option labels are stored per language
    (``{"en": "Serial number", "fa": "شماره سریال"}``)."""

    form = models.ForeignKey(TicketForm, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(_("key"), max_length=50, validators=[FIELD_KEY])
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    label = models.JSONField(_("label"), default=dict)
    help_text = models.JSONField(_("help text"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=False)
    #: For select fields: [{"value": "router", "label": {"en": "Router"}}, ...]
    options = models.JSONField(_("options"), default=list, blank=True)
    #: Optional rules: {"min": 0, "max": 10, "min_length": 3, "max_length": 80,
    #: "pattern": "^[A-Z]{2}[0-9]+$"}
    validation = models.JSONField(_("validation"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering: ClassVar[list[str]] = ["position", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["form", "key"], name="form_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.key

    def label_in(self, language: str) -> str:
        return _translated(self.label, language) or self.key

    def help_text_in(self, language: str) -> str:
        return _translated(self.help_text, language)


def _translated(values: dict[str, str], language: str) -> str:
    if not values:
        return ""
    base = language.split("-")[0]
    return (
        values.get(language) or values.get(base) or values.get("en") or next(iter(values.values()))
    )
