"""Reads the admin console needs (issue #8 puts pages on them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from notifications.models import (
    InboundEmail,
    InboundStatus,
    Notification,
    NotificationStatus,
    SmsChannel,
)
from tenants.models import Tenant
from ticketing.models import Department


def notifications_dead(*, limit: int = 200) -> QuerySet[Notification]:
    """Notifications that failed for good, newest first: what to fix and re-send."""
    return Notification.objects.filter(status=NotificationStatus.DEAD).order_by("-id")[:limit]


def inbound_needing_attention(*, limit: int = 200) -> QuerySet[InboundEmail]:
    """Inbound mail that was refused or could not be processed, newest first (never
    silently dropped: an admin reads it here)."""
    return (
        InboundEmail.objects.filter(status__in=[InboundStatus.REFUSED, InboundStatus.FAILED])
        .defer("raw")
        .order_by("-id")[:limit]
    )


@dataclass(frozen=True)
class DepartmentAddress:
    department: Department
    #: Where the tenant forwards the department's own address ("" without one).
    forward_to: str


@dataclass(frozen=True)
class InboundAddresses:
    #: Mail to any address at the tenant's host opens a ticket; this one is the default.
    general: str
    departments: list[DepartmentAddress]


def department_forwarding_addresses(*, host: str) -> dict[str, Department]:
    """forwarding address → department, for the departments with an address of their own:
    ``<local part>@<host>`` (``billing@acme.example`` → ``billing@acme.<platform>``), or
    ``<local part>-<id>@<host>`` where an earlier department already uses that local part.
    Inbound mail to one of them lands in its department."""
    mapping: dict[str, Department] = {}
    departments = Department.objects.filter(is_active=True).exclude(email_address="")
    for department in departments.order_by("id"):
        local = department.email_address.rsplit("@", 1)[0].lower()
        address = f"{local}@{host}"
        if address in mapping:
            address = f"{local}-{department.pk}@{host}"
        mapping[address] = department
    return mapping


def inbound_addresses(*, tenant: Tenant) -> InboundAddresses:
    """What the channels page tells an admin: where to point each support address."""
    host = tenant.subdomain_host
    forwarding = {
        dep.pk: address for address, dep in department_forwarding_addresses(host=host).items()
    }
    departments = [
        DepartmentAddress(department, forwarding.get(department.pk, ""))
        for department in Department.objects.filter(is_active=True).order_by("name")
    ]
    return InboundAddresses(general=f"support@{host}", departments=departments)


def sms_channel_current() -> SmsChannel:
    """The tenant's SMS settings (an empty, unsaved row when none were saved)."""
    return SmsChannel.objects.filter(pk=1).first() or SmsChannel(pk=1)
