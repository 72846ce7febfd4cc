"""Inbound email to tickets: route by the address to the tenant, keep the raw message,
then thread it (In-Reply-To/References against our Message-IDs, else the ticket number in
the subject — only for participants of that ticket) or open a new ticket."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.inbound.parse import ParsedEmail, parse_email, strip_quoted
from notifications.models import InboundEmail, InboundStatus, Notification
from notifications.selectors import department_forwarding_addresses
from notifications.welcome import customer_account_welcome
from tenants.models import Domain, Tenant, TenantStatus
from ticketing.errors import AttachmentRejected, TicketingError
from ticketing.models import Agent, Channel, Contact, Department, HelpdeskSettings, Message, Ticket
from ticketing.services.attachments import attachment_check
from ticketing.services.conversation import reply_from_agent, reply_from_customer
from ticketing.services.people import contact_for_email
from ticketing.services.tickets import ticket_create

logger = logging.getLogger(__name__)

#: More than this many messages from one sender in ten minutes is a mail loop.
SENDER_LIMIT_PER_10_MIN = 20


@dataclass(frozen=True)
class InboundResult:
    schema_name: str
    inbound_id: int
    status: str
    ticket_number: int | None


def tenant_for_address(address: str) -> Tenant | None:
    """``support@acme.<platform>`` (any local part) or an address at a custom domain."""
    domain = address.rsplit("@", 1)[-1].lower().rstrip(".")
    suffix = "." + settings.PLATFORM_DOMAIN
    tenants = Tenant.objects.filter(status=TenantStatus.ACTIVE)
    if domain.endswith(suffix):
        return tenants.filter(slug=domain[: -len(suffix)]).first()
    hosted = Domain.objects.filter(domain=domain).select_related("tenant").first()
    return hosted.tenant if hosted and hosted.tenant.status == TenantStatus.ACTIVE else None


def inbound_receive(*, raw: bytes, recipients: list[str]) -> list[InboundResult]:
    """Deliver one raw message to every tenant it is addressed to."""
    results = []
    seen: set[str] = set()
    for recipient in recipients:
        tenant = tenant_for_address(recipient)
        if tenant is None or tenant.schema_name in seen:
            continue
        seen.add(tenant.schema_name)
        with schema_context(tenant.schema_name):
            results.append(_receive_in_tenant(tenant, raw, recipient.lower()))
    return results


def _receive_in_tenant(tenant: Tenant, raw: bytes, recipient: str) -> InboundResult:
    stored = InboundEmail.objects.create(raw=raw, recipients=recipient, status=InboundStatus.FAILED)
    try:
        parsed = parse_email(raw)
    except (ValueError, LookupError, UnicodeError) as error:
        return _finish(tenant, stored, InboundStatus.FAILED, f"unreadable message: {error}")
    stored.sender, stored.subject, stored.message_id = (
        parsed.sender,
        parsed.subject,
        parsed.message_id,
    )
    stored.save(update_fields=["sender", "subject", "message_id"])
    if parsed.automated:
        return _finish(tenant, stored, InboundStatus.IGNORED, parsed.automated)
    recent = InboundEmail.objects.filter(
        sender=parsed.sender, received_at__gte=timezone.now() - timedelta(minutes=10)
    ).count()
    if recent > SENDER_LIMIT_PER_10_MIN:
        return _finish(tenant, stored, InboundStatus.REFUSED, "too many messages from this sender")
    try:
        ticket, note = _thread_or_open(parsed, recipient)
    except TicketingError as error:
        return _finish(tenant, stored, InboundStatus.REFUSED, error.message)
    except Exception as error:  # kept raw and listed for admins, never dropped
        logger.exception("inbound email %s failed", stored.pk)
        return _finish(tenant, stored, InboundStatus.FAILED, str(error)[:1000])
    stored.ticket = ticket
    return _finish(tenant, stored, InboundStatus.PROCESSED, note, ticket)


def _finish(
    tenant: Tenant, stored: InboundEmail, status: str, reason: str, ticket: Ticket | None = None
) -> InboundResult:
    stored.status, stored.reason = status, reason
    stored.save(update_fields=["status", "reason", "ticket"])
    return InboundResult(tenant.schema_name, stored.pk, status, ticket.number if ticket else None)


def _participant_emails(ticket: Ticket) -> set[str]:
    emails = {c.email.lower() for c in ticket.cc_contacts.all() if c.email}
    if ticket.requester and ticket.requester.email:
        emails.add(ticket.requester.email.lower())
    emails |= {
        email.lower()
        for email in Agent.objects.filter(is_active=True).values_list("user__email", flat=True)
    }
    return emails


def _find_ticket(parsed: ParsedEmail) -> Ticket | None:
    if parsed.in_reply_to:
        via_outbox = (
            Notification.objects.filter(
                Q(message_id__in=parsed.in_reply_to) | Q(thread_id__in=parsed.in_reply_to)
            )
            .values_list("ticket_id", flat=True)
            .first()
        )
        via_inbox = (
            Message.objects.filter(email_message_id__in=parsed.in_reply_to)
            .values_list("ticket_id", flat=True)
            .first()
        )
        via_first_mail = (
            InboundEmail.objects.filter(message_id__in=parsed.in_reply_to, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .first()
        )
        ticket_id = via_outbox or via_inbox or via_first_mail
        if ticket_id:
            ticket = Ticket.objects.filter(pk=ticket_id).first()
            if ticket is not None and parsed.sender in _participant_emails(ticket):
                return ticket
    number = parsed.ticket_number
    if number is not None:
        ticket = Ticket.objects.filter(number=number).first()
        # A number in a subject is not a credential: strangers open a new ticket.
        if ticket is not None and parsed.sender in _participant_emails(ticket):
            return ticket
    return None


def _files(parsed: ParsedEmail) -> tuple[list[tuple[str, bytes]], list[str]]:
    accepted, refused = [], []
    for item in parsed.attachments:
        try:
            attachment_check(filename=item.filename, content=item.content)
        except AttachmentRejected as error:
            refused.append(error.message)
            continue
        accepted.append((item.filename, item.content))
    return accepted, refused


def _cc_contacts(parsed: ParsedEmail, recipient: str) -> list[Contact]:
    ours = {recipient, *(a for a in parsed.to if tenant_for_address(a) is not None)}
    return [
        contact_for_email(email=address)
        for address in parsed.cc
        if address not in ours and address != parsed.sender
    ]


def _forwarded_to(recipient: str) -> Department | None:
    """The department whose address the tenant forwards to ``recipient`` (see the admin
    console's channels page), if any."""
    host = recipient.rsplit("@", 1)[-1]
    if not host.endswith("." + settings.PLATFORM_DOMAIN):
        return None
    return department_forwarding_addresses(host=host).get(recipient.lower())


def _thread_or_open(parsed: ParsedEmail, recipient: str) -> tuple[Ticket, str]:
    files, refused = _files(parsed)
    note = "; ".join(f"attachment dropped: {reason}" for reason in refused)
    # A reply carries the history we already have below its new text; a new message
    # (forwarded ones included) is kept whole.
    reply_body = strip_quoted(parsed.text) or parsed.text.strip() or parsed.subject
    body = parsed.text.strip() or parsed.subject
    ticket = _find_ticket(parsed)
    if ticket is not None:
        agent = Agent.objects.filter(user__email__iexact=parsed.sender, is_active=True).first()
        if agent is not None:
            reply_from_agent(
                ticket=ticket,
                agent=agent,
                body=reply_body,
                attachments=files,
                channel=Channel.EMAIL,
            )
        else:
            contact: Contact = Contact.objects.annotate(e=Lower("email")).get(e=parsed.sender)
            message = reply_from_customer(
                ticket=ticket,
                contact=contact,
                body=reply_body,
                attachments=files,
                channel=Channel.EMAIL,
                email_message_id=parsed.message_id,
            )
            ticket = message.ticket  # a follow-up ticket after the reopen window
        for cc in _cc_contacts(parsed, recipient):
            ticket.cc_contacts.add(cc)
        return ticket, note
    known = Contact.objects.annotate(e=Lower("email")).filter(e=parsed.sender).exists()
    if not known and not HelpdeskSettings.current().allow_guest_tickets:
        raise TicketingError(
            "unknown sender, and this help desk does not accept mail from strangers"
        )
    contact = contact_for_email(email=parsed.sender, full_name=parsed.sender_name)
    department = (
        Department.objects.filter(email_address__iexact=recipient, is_active=True).first()
        or _forwarded_to(recipient)
        or Department.objects.filter(is_active=True).order_by("id").first()
    )
    if department is None:
        raise TicketingError("this help desk has no department to receive mail")
    created = ticket_create(
        subject=parsed.subject or body[:80] or "(no subject)",
        description=body,
        channel=Channel.EMAIL,
        requester=contact,
        department=department,
        attachments=files,
        cc=_cc_contacts(parsed, recipient),
    )
    if not known:  # a stranger the tenant accepts: an account and a welcome link
        customer_account_welcome(contact=contact, ticket=created)
    return created, note
