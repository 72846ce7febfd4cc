"""Writing the outbox (inside the ticket's transaction) and delivering one row."""

from __future__ import annotations

import html
import json
import logging
import re
import smtplib
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from controlplane.gateways import KAVENEGAR_API_KEY, SENDER_LINE, mail_gateway
from controlplane.secrets import secret_encrypt
from notifications import quotas
from notifications.gateways import SmsError, sms_gateway_for, sms_route
from notifications.models import (
    AgentSmsAlerts,
    Announcement,
    Audience,
    Notification,
    NotificationChannel,
    NotificationStatus,
    NotificationSwitch,
    NotificationTemplate,
    SmsChannel,
)
from notifications.rules import (
    DepartmentAlert,
    Recipient,
    agent_recipients,
    department_agents,
    recipients_for,
)
from notifications.templates_default import default_wording
from sla.models import ClockKind
from tenants.config_cache import config_cache
from tenants.db import connection
from tenants.models import Tenant
from tenants.services import tenant_shows_powered_by
from ticketing.errors import InvalidInput
from ticketing.events import PublishedEvent
from ticketing.models import Agent, Message, Ticket, TicketStatus
from ticketing.permissions import require_admin
from ticketing.services.canned import fill_placeholders
from ticketing.services.resolution import LinkPurpose, resolution_link_token
from ticketing.services.tickets import guest_access_token

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: The channel of a row standing for every agent of a department (a ``DepartmentAlert``)
#: until the delivery worker writes a row per agent and channel in its place.
DEPARTMENT_ALERT = "department"
#: last_error of an SMS not sent because the plan's monthly SMS quota is used up.
SMS_QUOTA_REACHED = "over the plan's SMS quota for this month"


def _tenant() -> Tenant | None:
    tenant = connection.tenant
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def _host(tenant: Tenant | None) -> str:
    return tenant.subdomain_host if tenant else settings.PLATFORM_DOMAIN


def thread_id(ticket: Ticket) -> str:
    """The Message-ID every mail about the ticket refers to, so clients thread them."""
    return f"<ticket-{ticket.number}.{connection.schema_name}@{settings.PLATFORM_DOMAIN}>"


def _values(
    ticket: Ticket, event: PublishedEvent, tenant: Tenant | None, message: Message | None
) -> dict[str, dict[str, str]]:
    """What the templates may show, computed once per event (the link per audience)."""
    requester = ticket.requester
    return {
        "ticket": {
            "number": ticket.reference,
            "subject": ticket.subject,
            "status": _status_label(ticket.status),
            "link": "",
            "confirm_link": "",
            "reopen_link": "",
        },
        "customer": {
            "name": requester.full_name if requester else "",
            "first_name": requester.first_name if requester else "",
        },
        "message": {
            "body": message.body if message else "",
            "author": message.author_name if message else "",
        },
        "tenant": {"name": tenant.name if tenant else "Caseway"},
        "sla": {
            "clock": str(event.after.get("clock", "")),
            "event": event.kind.removeprefix("sla."),
        },
    }


def _resolution_links(ticket: Ticket, tenant: Tenant | None) -> dict[str, str]:
    """The one-click "solved" / "reopen" links of the resolved email (portal host)."""
    if ticket.resolved_at is None or not ticket.requester_id:
        return {}
    base = f"{'http' if settings.DEBUG else 'https'}://{_host(tenant)}"
    confirm = resolution_link_token(ticket=ticket, purpose=LinkPurpose.CONFIRM)
    reopen = resolution_link_token(ticket=ticket, purpose=LinkPurpose.REOPEN)
    return {"confirm_link": f"{base}/solved/{confirm}/", "reopen_link": f"{base}/reopen/{reopen}/"}


def _status_label(status: str) -> str:
    """What ``get_status_display()`` gives (the label in the active language), without
    its dictionary of every choice made hashable on each call."""
    if status not in TicketStatus.values:
        return status
    return _status_labels(translation.get_language() or "")[status]


@lru_cache(maxsize=32)
def _status_labels(language: str) -> dict[str, str]:
    """The status labels in ``language`` (the active one); the catalogues do not change
    while the process runs."""
    return {str(value): str(label) for value, label in TicketStatus.choices}


def _ticket_link(ticket: Ticket, tenant: Tenant | None, *, staff: bool) -> str:
    """Agents get the console page, customers their signed link."""
    base = f"{'http' if settings.DEBUG else 'https'}://{_host(tenant)}"
    if staff:
        return f"{base}/console/tickets/{ticket.number}/"
    return f"{base}/t/{guest_access_token(ticket)}/" if ticket.requester_id else ""


SLA_EVENT_LABELS = {
    "warned": gettext_lazy("warning"),
    "breached": gettext_lazy("breach"),
    "escalated": gettext_lazy("escalation"),
}


def _in_language(values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Coded values (SLA clock and event) in the active language."""
    sla = values.get("sla", {})
    clock = sla.get("clock", "")
    labelled = {
        "clock": str(ClockKind(clock).label) if clock in ClockKind.values else clock,
        "event": str(SLA_EVENT_LABELS.get(sla.get("event", ""), sla.get("event", ""))),
    }
    return {**values, "sla": labelled}


def _render(
    key: str,
    channel: str,
    language: str,
    values: dict[str, dict[str, str]],
    custom: NotificationTemplate | None,
    *,
    strict: bool = False,
) -> tuple[str, str]:
    """``strict``: a broken tenant template is an error (the editor's preview); otherwise
    the built-in wording goes out instead, so a template never stops a ticket change."""
    with translation.override(language or settings.LANGUAGE_CODE):
        values = _in_language(values)
        if custom is not None:
            try:
                return (
                    fill_placeholders(custom.subject, values),
                    fill_placeholders(custom.body, values),
                )
            except InvalidInput:
                if strict:
                    raise
                logger.warning("template %s does not render; the default went out", custom)
        wording = default_wording(key)
        if channel == NotificationChannel.SMS:
            return "", fill_placeholders(wording.sms, values)
        return fill_placeholders(wording.subject, values), fill_placeholders(wording.body, values)


Overrides = tuple[set[tuple[str, str]], dict[tuple[str, str], NotificationTemplate]]


def _overrides(event_kind: str) -> Overrides:
    """The tenant admin's changes for this event: the (audience, channel) pairs turned
    off, and their own wording per (channel, language). Read for every event at once and
    cached per tenant (see ``notifications.apps``)."""
    every = config_cache.get("notifications:overrides", _load_overrides)
    return every.get(event_kind, _NO_OVERRIDES)


_NO_OVERRIDES: Overrides = (set(), {})


def _load_overrides() -> dict[str, Overrides]:
    """All switches turned off and all own templates, by event, in one query."""
    every: dict[str, Overrides] = {}
    switch_table = NotificationSwitch._meta.db_table
    template_table = NotificationTemplate._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'off', event_kind, audience, channel, '', '' FROM {switch_table}"
            " WHERE NOT enabled"
            " UNION ALL SELECT 'template', event_kind, channel, language, subject, body"
            f" FROM {template_table}"
        )
        for row_kind, event_kind, first, second, subject, body in cursor.fetchall():
            off, templates = every.setdefault(event_kind, (set(), {}))
            if row_kind == "off":
                off.add((first, second))
            else:
                templates[(first, second)] = NotificationTemplate(
                    event_kind=event_kind,
                    channel=first,
                    language=second,
                    subject=subject,
                    body=body,
                )
    return every


def notifications_for_event(event: PublishedEvent) -> list[int]:
    """Write the outbox rows for an event (inside its transaction); their delivery is
    enqueued after commit. Returns the ids of the rows to deliver."""
    return notifications_for_events([event])


def notifications_for_events(published: Sequence[PublishedEvent]) -> list[int]:
    """The outbox rows of the events one change wrote, in one statement."""
    tenant = _tenant()
    rows: dict[str, tuple[Any, ...]] = {}
    for event in published:
        for row in _rows_for_event(event, tenant):
            rows.setdefault(str(row[_KEY_INDEX]), row)  # one per event, channel and address
    if not rows:
        return []
    return _outbox_insert(list(rows.values()))


#: The outbox columns a new row sets (the others are NULL), in the order of the tuples
#: ``_rows_for_event`` makes.
_OUTBOX_COLUMNS = (
    "idempotency_key", "event_kind", "ticket_id", "channel", "recipient_id", "address",
    "language", "subject", "body", "thread_id", "status", "sent_at", "created_at",
    "attempts", "last_error", "provider_message_id", "message_id",
)  # fmt: skip
_KEY_INDEX = 0
_CHANNEL_INDEX = 3


_OUTBOX_INSERT = (
    f"INSERT INTO {Notification._meta.db_table} ({', '.join(_OUTBOX_COLUMNS)})"
    f" SELECT {', '.join(_OUTBOX_COLUMNS)}"
    f" FROM json_populate_recordset(NULL::{Notification._meta.db_table}, %s::json)"
    " ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key"
    " RETURNING id, channel"
)


def _outbox_insert(rows: list[tuple[Any, ...]]) -> list[int]:
    """One INSERT for all that returns the ids of the rows to deliver — written as SQL:
    Django's bulk_create spent more on preparing a handful of rows than the database on
    storing them. The rows go as one JSON document, typed by the table's own columns:
    the statement reads the same whatever the number of rows (the driver parses it once
    per process), and one string is quicker to pass than a value per column and row.
    An event is handled once per transaction, so the unique idempotency keys only meet
    again if a caller replays the same event: then the existing row is left as it was
    (its id comes back, and delivery skips a row no longer queued)."""
    document = json.dumps(
        [dict(zip(_OUTBOX_COLUMNS, row, strict=True)) for row in rows], default=_json_time
    )
    with db_connection.cursor() as cursor:
        cursor.execute(_OUTBOX_INSERT, [document])
        returned = cursor.fetchall()
    return [pk for pk, channel in returned if channel != NotificationChannel.IN_APP]


def _json_time(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _rows_for_event(event: PublishedEvent, tenant: Tenant | None) -> list[tuple[Any, ...]]:
    """The outbox rows of one event, as tuples in ``_OUTBOX_COLUMNS`` order."""
    ticket = event.ticket  # the service's own instance, when it is at hand
    if ticket is None:
        ticket = (
            Ticket.objects.select_related("requester__user", "assignee__user", "department")
            .filter(pk=event.ticket_id)
            .first()
        )
    if ticket is None:
        return []
    message_id = int(event.after.get("message") or 0)
    message = event.message if event.message is not None else None
    if message_id and (message is None or message.pk != message_id):
        message = Message.objects.filter(pk=message_id).first()
    recipients = recipients_for(event, ticket, message=message)
    if not recipients:
        return []
    values = _values(ticket, event, tenant, message)
    thread = thread_id(ticket)
    now = timezone.now()
    people = [r for r in recipients if isinstance(r, Recipient)]
    rows = _recipient_rows(
        people,
        event_id=event.event_id,
        event_kind=event.kind,
        ticket_id=ticket.pk,
        thread=thread,
        values=values,
        link=lambda staff: _ticket_link(ticket, tenant, staff=staff),
        resolution_links=lambda: _resolution_links(ticket, tenant),
        tenant=tenant,
        now=now,
    )
    for alert in recipients:
        if isinstance(alert, DepartmentAlert):
            rows.append(_department_alert_row(alert, event, ticket, values, thread, tenant, now))
    return rows


def _department_alert_row(
    alert: DepartmentAlert,
    event: PublishedEvent,
    ticket: Ticket,
    values: dict[str, dict[str, str]],
    thread: str,
    tenant: Tenant | None,
    now: datetime,
) -> tuple[Any, ...]:
    """One row for the whole department; what the agents' rows will say is kept in it as
    of now (the ticket may have changed by the time the worker fans it out)."""
    plan = {
        "event": event.event_id,
        "key": alert.key,
        "department": alert.department_id,
        "exclude_user": alert.exclude_user_id,
        "values": values,
        "link": _ticket_link(ticket, tenant, staff=True),
    }
    return (
        f"{event.event_id}:{DEPARTMENT_ALERT}:{alert.department_id}"[:200],
        event.kind,
        ticket.pk,
        str(DEPARTMENT_ALERT),
        None,
        "",
        "",
        "",
        json.dumps(plan),
        thread,
        str(NotificationStatus.QUEUED),
        None,
        now,
        0,
        "",
        "",
        "",
    )


def _recipient_rows(
    recipients: Sequence[Recipient],
    *,
    event_id: int,
    event_kind: str,
    ticket_id: int,
    thread: str,
    values: dict[str, dict[str, str]],
    link: Callable[[bool], str],
    resolution_links: Callable[[], dict[str, str]],
    tenant: Tenant | None,
    now: datetime,
) -> list[tuple[Any, ...]]:
    """A row per recipient and channel, rendered in the recipient's language. ``link``
    gives the ticket's link for staff (True) or the customer (False)."""
    off, templates = _overrides(event_kind)
    # Per audience (the link) and per wording, channel and language: the agents of a
    # department share one rendering, and a link is signed only if someone gets it.
    audience_values: dict[bool, dict[str, dict[str, str]]] = {}
    rendered: dict[tuple[bool, str, str, str], tuple[str, str]] = {}
    rows: list[tuple[Any, ...]] = []
    for recipient in recipients:
        language = recipient.language or (tenant.language if tenant else "en")
        audience = Audience.STAFF if recipient.is_staff else Audience.CUSTOMERS
        for channel in recipient.channels:
            if (audience, channel) in off:
                continue
            in_app = channel == NotificationChannel.IN_APP
            address = recipient.phone if channel == NotificationChannel.SMS else recipient.email
            who = f"user:{recipient.user.pk}" if in_app and recipient.user else address
            if not who or (in_app and recipient.user is None):
                continue
            wording = (recipient.is_staff, recipient.key, str(channel), language)
            if wording not in rendered:
                own_values = audience_values.get(recipient.is_staff)
                if own_values is None:
                    own_ticket = {**values["ticket"], "link": link(recipient.is_staff)}
                    own_values = {**values, "ticket": own_ticket}
                    audience_values[recipient.is_staff] = own_values
                if recipient.key == "customer.resolved":
                    own_values = {
                        **own_values,
                        "ticket": {**own_values["ticket"], **resolution_links()},
                    }
                rendered[wording] = _render(
                    recipient.key, channel, language, own_values, templates.get((channel, language))
                )
            subject, body = rendered[wording]
            rows.append(
                (
                    f"{event_id}:{channel}:{who}"[:200],
                    event_kind,
                    ticket_id,
                    str(channel),
                    recipient.user.pk if recipient.user else None,
                    "" if in_app else address,
                    language,
                    subject[:300],
                    body,
                    thread,
                    str(NotificationStatus.SENT if in_app else NotificationStatus.QUEUED),
                    now if in_app else None,
                    now,
                    0,
                    "",
                    "",
                    "",
                )
            )
    return rows


def notification_fan_out(notification_id: int) -> list[int]:
    """Turn a department alert (see ``notifications.rules.DepartmentAlert``) into a row
    per agent and channel, worded as the ticket was when the event happened, and mark
    the alert done, in one transaction; returns the ids of the new rows to deliver.

    The alert's row is locked and must still be queued, and the agents' rows carry the
    idempotency keys they would have had if written with the change: run twice, by one
    worker or two, it adds nothing the second time. Until it commits the alert stays
    queued, so a worker that dies leaves it for the re-dispatch."""
    tenant = _tenant()
    with transaction.atomic():
        alert = (
            Notification.objects.select_for_update()
            .filter(
                pk=notification_id,
                channel=DEPARTMENT_ALERT,
                status=NotificationStatus.QUEUED,
            )
            .first()
        )
        if alert is None:
            return []
        plan = json.loads(alert.body)
        staff_link = str(plan["link"])
        recipients = agent_recipients(
            department_agents(int(plan["department"])),
            str(plan["key"]),
            exclude_user_id=plan["exclude_user"],
        )
        rows = _recipient_rows(
            recipients,
            event_id=int(plan["event"]),
            event_kind=alert.event_kind,
            ticket_id=int(alert.ticket_id) if alert.ticket_id else 0,
            thread=alert.thread_id,
            values=plan["values"],
            link=lambda staff: staff_link if staff else "",
            resolution_links=dict,
            tenant=tenant,
            now=timezone.now(),
        )
        ids = _outbox_insert(rows) if rows else []
        alert.status = NotificationStatus.SENT
        alert.sent_at = timezone.now()
        alert.save(update_fields=["status", "sent_at"])
    return ids


class _ReusedMailConnection(threading.local):
    """One mail connection per worker thread, kept open across deliveries: opening an
    SMTP session (connect, EHLO, maybe STARTTLS and AUTH) costs more than a message."""

    key: tuple[Any, ...] | None = None
    backend: BaseEmailBackend | None = None

    def get(self) -> BaseEmailBackend:
        key = (
            settings.EMAIL_BACKEND,
            getattr(settings, "EMAIL_HOST", ""),
            getattr(settings, "EMAIL_PORT", 0),
            getattr(settings, "EMAIL_HOST_USER", ""),
            getattr(settings, "EMAIL_USE_TLS", False),
            getattr(settings, "EMAIL_USE_SSL", False),
            # The operators' SMTP server (console settings): a change opens a new connection.
            gateway.fingerprint if (gateway := mail_gateway()) else "",
        )
        if self.backend is None or self.key != key:
            self.reset()
            backend = get_connection(fail_silently=False)
            # Opened here, so that send_messages() finds it open and leaves it open.
            backend.open()
            self.backend, self.key = backend, key
        return self.backend

    def reset(self) -> None:
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # a dead connection may fail to say goodbye
                logger.debug("closing the mail connection failed", exc_info=True)
        self.backend = None


_mail = _ReusedMailConnection()


def _send_reusing_connection(email: EmailMultiAlternatives) -> None:
    """Send over the thread's open connection. A connection the server dropped while
    idle is noticed before any data went out: reconnect and send once more."""
    try:
        email.connection = _mail.get()
        email.send(fail_silently=False)
    except smtplib.SMTPServerDisconnected:
        _mail.reset()
        email.connection = _mail.get()
        try:
            email.send(fail_silently=False)
        except OSError:
            _mail.reset()
            raise
    except OSError:
        _mail.reset()
        raise


#: A web address in already escaped text: it ends at white space, markup or an escaped
#: quote or angle bracket.
_URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'])+")


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    trailing = len(url) - len(url.rstrip(".,;:!?)"))  # sentence punctuation stays text
    url, rest = (url[:-trailing], url[-trailing:]) if trailing else (url, "")
    return f'<a href="{url}">{url}</a>{rest}'


def _linked(escaped: str) -> str:
    """Web addresses in the HTML part as links (the one-click links among them)."""
    return _URL.sub(_link, escaped)


def notification_email(
    notification: Notification, tenant: Tenant | None, *, message_id: str
) -> EmailMultiAlternatives:
    """The mail of an email notification: the tenant as sender, plain and HTML parts,
    threaded on the ticket."""
    sender_name = tenant.name if tenant else "Caseway"
    from_address = f"{sender_name} <support@{_host(tenant)}>"
    footer = ""
    if tenant is None or tenant_shows_powered_by(tenant):
        with translation.override(notification.language or None):
            footer = _("Powered by Caseway")
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=f"{notification.body}\n\n-- \n{footer}" if footer else notification.body,
        from_email=from_address,
        to=[notification.address],
        reply_to=[f"support@{_host(tenant)}"],
        headers={
            "Message-ID": message_id,
            "In-Reply-To": notification.thread_id,
            "References": notification.thread_id,
            "Auto-Submitted": "auto-generated",
        },
    )
    paragraphs = "".join(
        f"<p>{_linked(html.escape(part)).replace(chr(10), '<br>')}</p>"
        for part in notification.body.split("\n\n")
    )
    if footer:
        paragraphs += f'<p style="color:#6b7280;font-size:12px">{html.escape(footer)}</p>'
    email.attach_alternative(f"<!doctype html><html><body>{paragraphs}</body></html>", "text/html")
    return email


def _send_email(notification: Notification, tenant: Tenant | None) -> str:
    message_id = notification.message_id or make_msgid(domain=settings.PLATFORM_DOMAIN)
    _send_reusing_connection(notification_email(notification, tenant, message_id=message_id))
    return message_id


def notifications_claim(*, ids: Sequence[int], fresh: int = 0) -> list[Notification]:
    """Take queued rows for sending in one statement: ``ids``, plus up to ``fresh`` other
    rows never tried yet (oldest first), so that one task drains a backlog instead of
    paying a task per row. Each claimed row counts an attempt and is leased until its
    backoff ends (``next_attempt_at``): if the worker dies, re-dispatch finds it then.
    Rows another worker holds are skipped, so no row is sent by two workers at once."""
    table = Notification._meta.db_table
    sql = f"""
        WITH own AS (
               SELECT id FROM {table}
                WHERE id = ANY(%(ids)s) AND status = 'queued'
                FOR UPDATE SKIP LOCKED),
             waiting AS (
               SELECT id FROM {table}
                WHERE status = 'queued' AND next_attempt_at IS NULL AND channel <> 'in_app'
                  AND NOT (id = ANY(%(ids)s))
                ORDER BY id LIMIT %(fresh)s
                FOR UPDATE SKIP LOCKED)
        UPDATE {table} AS n
           SET attempts = n.attempts + 1,
               next_attempt_at = %(now)s + make_interval(mins => power(2, n.attempts + 1)::int)
         WHERE n.id IN (SELECT id FROM own UNION ALL SELECT id FROM waiting)
        RETURNING n.*"""
    return list(
        Notification.objects.raw(sql, {"now": timezone.now(), "ids": list(ids), "fresh": fresh})
    )


def notification_send(notification: Notification, tenant: Tenant | None) -> str:
    """Send a claimed row and record the outcome; no transaction is open meanwhile."""
    schema_name = str(connection.schema_name)
    route = sms_route() if notification.channel == NotificationChannel.SMS else None
    # SMS through the tenant's own Kavenegar account are not the platform's to count.
    metered = route is not None and route.source != "tenant"
    if metered and not quotas.sms_allowed(schema_name):
        # Over the plan's SMS quota: this one is not sent (email continues).
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.DEAD, last_error=SMS_QUOTA_REACHED
        )
        return NotificationStatus.DEAD
    try:
        if route is None:
            provider_id = _send_email(notification, tenant)
        else:
            provider_id = (
                sms_gateway_for(route)
                .send(to=notification.address, text=notification.body, sender=route.sender)
                .provider_message_id
            )
    except (OSError, SmsError) as error:
        status = (
            NotificationStatus.DEAD
            if notification.attempts >= MAX_ATTEMPTS
            else NotificationStatus.QUEUED
        )
        Notification.objects.filter(pk=notification.pk).update(
            status=status, last_error=str(error)[:1000]
        )
        return status
    if metered:
        quotas.sms_sent(schema_name)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:255],
        message_id=provider_id[:255] if notification.channel == NotificationChannel.EMAIL else "",
        last_error="",
    )
    return NotificationStatus.SENT


def notification_deliver(notification_id: int) -> str:
    """Send one queued notification; no transaction is open while it is sent. A
    department alert is fanned out and its agents' rows sent."""
    claimed = notifications_claim(ids=[notification_id])
    if not claimed:
        status = Notification.objects.filter(pk=notification_id).values_list("status", flat=True)
        return status.first() or "missing"
    if claimed[0].channel == DEPARTMENT_ALERT:
        notifications_deliver_many(ids=notification_fan_out(notification_id))
        return NotificationStatus.SENT
    return notification_send(claimed[0], _tenant())


def notifications_deliver_many(*, ids: Sequence[int], fresh: int = 0) -> list[tuple[int, str]]:
    """Claim ``ids`` (and up to ``fresh`` waiting rows) and send them one after the other
    over the thread's open connection; returns (id, status) per row sent. A department
    alert among them is fanned out first, and its agents' rows go out with the others."""
    claimed = notifications_claim(ids=ids, fresh=fresh)
    if not claimed:
        return []
    tenant = _tenant()
    results: list[tuple[int, str]] = []
    for row in claimed:
        if row.channel == DEPARTMENT_ALERT:
            results += notifications_deliver_many(ids=notification_fan_out(row.pk))
        else:
            results.append((row.pk, notification_send(row, tenant)))
    return results


def notifications_stuck(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Queued rows whose task was lost (Redis down at enqueue, worker died): due again."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            status=NotificationStatus.QUEUED, created_at__lte=now - older_than
        )
        .filter(next_attempt_at__isnull=True)
        .values_list("pk", flat=True)[:1000]
    ) + list(
        Notification.objects.filter(
            status=NotificationStatus.QUEUED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:1000]
    )


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(
        recipient_id=user_id, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).count()


def announcements_for(*, staff: bool, at: datetime | None = None) -> list[Announcement]:
    """What a dashboard shows now: staff or customer announcements in their window."""
    at = at or timezone.now()
    audience = Audience.STAFF if staff else Audience.CUSTOMERS
    return list(
        Announcement.objects.filter(audience=audience, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("-starts_at")
    )


def announcement_publish(
    *,
    actor: Agent,
    title: str,
    body: str,
    audience: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Announcement:
    require_admin(actor)
    starts_at = starts_at or timezone.now()
    if not title.strip() or not body.strip():
        raise InvalidInput(_("An announcement needs a title and a text."))
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(
            _("It must end after it starts."),
            field_errors={"ends_at": [_("It must end after it starts.")]},
        )
    if audience not in Audience.values:
        raise InvalidInput(
            _("Choose staff or customers."),
            field_errors={"audience": [_("Choose staff or customers.")]},
        )
    return Announcement.objects.create(
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor.user,
    )


def agent_sms_alerts_set(
    *,
    actor: Agent,
    agent: Agent,
    phone: str,
    ticket_created: bool = True,
    ticket_assigned: bool = True,
) -> AgentSmsAlerts | None:
    """An agent's choice to get new and assigned tickets by SMS too (the agent or a
    tenant admin sets it). Both off, or no number, turns SMS alerts off."""
    if actor.pk != agent.pk:
        require_admin(actor)
    phone = phone.strip()
    if not (ticket_created or ticket_assigned):
        AgentSmsAlerts.objects.filter(agent=agent).delete()
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not 7 <= len(digits) <= 15 or any(ch not in "+0123456789 -()" for ch in phone):
        message = _("Enter a mobile number, e.g. +98 912 345 6789.")
        raise InvalidInput(message, field_errors={"phone": [message]})
    alerts, _created = AgentSmsAlerts.objects.update_or_create(
        agent=agent,
        defaults={
            "phone": phone,
            "ticket_created": ticket_created,
            "ticket_assigned": ticket_assigned,
        },
    )
    return alerts


def sms_channel_update(
    *, actor: Agent, sender: str, api_key: str = "", remove_key: bool = False
) -> dict[str, tuple[str, str]]:
    """A tenant admin sets the SMS sender line and, optionally, the tenant's own
    Kavenegar API key ("" keeps the stored one; ``remove_key`` removes it). Returns the
    audit changes, the key only as "set"/"changed"/"removed"."""
    require_admin(actor)
    sender = "".join(sender.split()).replace("-", "")
    api_key = api_key.strip()
    errors: dict[str, list[str]] = {}
    if sender and not SENDER_LINE.match(sender):
        errors["sender"] = [_("A sender line is 4 to 20 digits, e.g. 10004346.")]
    if api_key and not KAVENEGAR_API_KEY.match(api_key):
        errors["api_key"] = [_("This does not look like a Kavenegar API key.")]
    with transaction.atomic():
        SmsChannel.objects.get_or_create(pk=1)
        channel = SmsChannel.objects.select_for_update().get(pk=1)
        had_key = bool(channel.kavenegar_api_key)
        keeps_key = bool(api_key) or (had_key and not remove_key)
        if keeps_key and not sender and "sender" not in errors:
            errors["sender"] = [_("With your own Kavenegar account, enter its sender line.")]
        if errors:
            raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
        changes: dict[str, tuple[str, str]] = {}
        if channel.sender != sender:
            changes["sender"] = (channel.sender, sender)
            channel.sender = sender
        if api_key:
            channel.kavenegar_api_key = secret_encrypt(api_key)
            changes["api_key"] = ("set" if had_key else "", "changed" if had_key else "set")
        elif remove_key and had_key:
            channel.kavenegar_api_key = ""
            changes["api_key"] = ("set", "removed")
        channel.save()
    return changes
