"""The admin console's list-and-edit sections (departments, services, products,
priorities, canned responses, ticket forms, SLA policies and business calendars,
announcements), described once
and served by two views. Every save runs in one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontend.admin_console import forms as admin_forms
from frontend.admin_console import sla_forms
from notifications.models import Announcement, NotificationTemplate
from notifications.services import announcement_publish
from sla.configuration import calendar_save
from sla.models import BusinessCalendar, SlaPolicy
from ticketing.models import Agent, CannedResponse, Category, Department, Priority, Product
from ticketing.models.forms import TicketForm
from ticketing.services.people import department_create

Saver = Callable[[forms.ModelForm, Agent], models.Model]


def save_form(form: forms.ModelForm, agent: Agent) -> models.Model:
    return form.save()


def save_department(form: forms.ModelForm, agent: Agent) -> models.Model:
    if form.instance.pk is None:
        data = form.cleaned_data
        form.instance = department_create(
            name=data["name"],
            description=data.get("description") or "",
            email_address=data.get("email_address") or "",
            assignment_strategy=data["assignment_strategy"],
        )
        for name in ("default_priority", "default_form", "is_active"):
            setattr(form.instance, name, data.get(name))
    return form.save()


def save_announcement(form: forms.ModelForm, agent: Agent) -> models.Model:
    if form.instance.pk is not None:
        return form.save()
    data = form.cleaned_data
    return announcement_publish(
        actor=agent,
        title=data["title"],
        body=data["body"],
        audience=data["audience"],
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
    )


def save_calendar(form: forms.ModelForm, agent: Agent) -> models.Model:
    data = form.cleaned_data
    return calendar_save(
        calendar=form.instance if form.instance.pk else None,
        name=data["name"],
        timezone_name=data["timezone"],
        weekly_hours=form.weekly_hours(),  # type: ignore[attr-defined]
        holiday_country=data.get("holiday_country") or "",
        is_default=bool(data.get("is_default")),
        departments=list(data.get("departments") or []),
    )


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    singular: Any
    model: type[models.Model]
    form: type[forms.ModelForm]
    columns: list[tuple[str, Any]]
    save: Saver = save_form
    #: After saving a new row, go to its page (forms: to add their fields).
    stay_after_create: bool = False
    related: tuple[str, ...] = field(default_factory=tuple)


SECTIONS: dict[str, Section] = {
    section.key: section
    for section in [
        Section(
            "departments",
            _("Departments"),
            _("department"),
            Department,
            admin_forms.DepartmentForm,
            [
                ("name", _("Name")),
                ("get_assignment_strategy_display", _("Assignment")),
                ("email_address", _("Email address")),
                ("is_active", _("Active")),
            ],
            save=save_department,
        ),
        Section(
            "services",
            _("Services"),
            _("service"),
            Category,
            admin_forms.CategoryForm,
            [
                ("name", _("Name")),
                ("default_department", _("Department")),
                ("is_active", _("Active")),
            ],
            related=("default_department",),
        ),
        Section(
            "products",
            _("Products"),
            _("product"),
            Product,
            admin_forms.ProductForm,
            [("name", _("Name")), ("sku", _("Product code")), ("is_active", _("Active"))],
        ),
        Section(
            "priorities",
            _("Priorities"),
            _("priority"),
            Priority,
            admin_forms.PriorityForm,
            [("name", _("Name")), ("level", _("Level"))],
        ),
        Section(
            "canned-responses",
            _("Canned responses"),
            _("canned response"),
            CannedResponse,
            admin_forms.CannedResponseForm,
            [("title", _("Title")), ("department", _("Department"))],
            related=("department",),
        ),
        Section(
            "forms",
            _("Ticket forms"),
            _("ticket form"),
            TicketForm,
            admin_forms.TicketFormForm,
            [
                ("name", _("Name")),
                ("department", _("Department")),
                ("category", _("Service")),
                ("is_active", _("Active")),
            ],
            stay_after_create=True,
            related=("department", "category"),
        ),
        Section(
            "sla-policies",
            _("SLA policies"),
            _("SLA policy"),
            SlaPolicy,
            admin_forms.SlaPolicyForm,
            [
                ("name", _("Name")),
                ("position", _("Order")),
                ("first_response_minutes", _("First response (min)")),
                ("resolution_minutes", _("Resolution (min)")),
                ("is_active", _("Active")),
            ],
        ),
        Section(
            "business-calendars",
            _("Business calendars"),
            _("business calendar"),
            BusinessCalendar,
            sla_forms.BusinessCalendarForm,
            [
                ("name", _("Name")),
                ("timezone", _("Time zone")),
                ("holiday_country", _("Public holidays of")),
                ("is_default", _("Default")),
            ],
            save=save_calendar,
            stay_after_create=True,
        ),
        Section(
            "notification-templates",
            _("Notification templates"),
            _("notification template"),
            NotificationTemplate,
            admin_forms.NotificationTemplateForm,
            [
                ("event_kind", _("Event")),
                ("get_channel_display", _("Channel")),
                ("language", _("Language")),
                ("subject", _("Subject")),
            ],
        ),
        Section(
            "announcements",
            _("Announcements"),
            _("announcement"),
            Announcement,
            admin_forms.AnnouncementForm,
            [
                ("title", _("Title")),
                ("get_audience_display", _("Audience")),
                ("starts_at", _("From")),
                ("ends_at", _("Until")),
            ],
            save=save_announcement,
        ),
    ]
}


def cell(obj: models.Model, attr: str) -> Any:
    value = getattr(obj, attr)
    return value() if callable(value) else value
