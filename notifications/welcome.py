"""A customer account for someone who wrote in by email, with a welcome link.

Inbound mail from an unknown sender creates a contact (when the tenant accepts mail from
strangers). That contact also gets a user account without a usable password, and a
welcome mail through the outbox with a signed link to choose one: allauth's
set-password-from-key page under ``/accounts/`` (the link expires after
``PASSWORD_RESET_TIMEOUT``, three days by default, and works once: setting the password
changes what the token was made from). Then the customer signs in to the portal.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification, NotificationStatus, NotificationTemplate
from notifications.services import _host, _render, _tenant, thread_id
from ticketing import events
from ticketing.models import Contact, Ticket

EVENT_KIND = "account.welcome"


def welcome_link(user: User) -> str:
    """The signed link on the tenant's host where ``user`` chooses a password."""
    path = reverse(
        "account_reset_password_from_key",
        urlconf=settings.ROOT_URLCONF,  # the tenant URL conf (allauth under /accounts/)
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{_host(_tenant())}{path}"


def customer_account_welcome(*, contact: Contact, ticket: Ticket | None = None) -> int | None:
    """Give ``contact`` an account and queue the welcome mail; returns the outbox row's
    id, or None when there is nothing to do (an account exists, no email address, or the
    address already belongs to a user of this help desk)."""
    from notifications.handlers import _enqueue

    if contact.user_id is not None or not contact.email:
        return None
    if User.objects.filter(email__iexact=contact.email).exists():
        return None
    tenant = _tenant()
    language = contact.language or (tenant.language if tenant else settings.LANGUAGE_CODE)
    with transaction.atomic():
        user = User.objects.create_user(
            contact.email, None, full_name=contact.full_name, language=contact.language
        )
        contact.user = user
        contact.save(update_fields=["user"])
        values = {
            "ticket": {
                "number": ticket.reference if ticket else "",
                "subject": ticket.subject if ticket else "",
                "status": ticket.get_status_display() if ticket else "",
                "link": "",
            },
            "customer": {"name": contact.full_name, "first_name": contact.first_name},
            "message": {"body": "", "author": ""},
            "tenant": {"name": tenant.name if tenant else "Caseway"},
            "sla": {"clock": "", "event": ""},
            "account": {"link": welcome_link(user), "email": contact.email},
        }
        custom = NotificationTemplate.objects.filter(
            event_kind=EVENT_KIND, channel="email", language=language
        ).first()
        subject, body = _render("customer.welcome", "email", language, values, custom)
        row = Notification.objects.create(
            idempotency_key=f"{EVENT_KIND}:{user.pk}",
            event_kind=EVENT_KIND,
            ticket=ticket,
            channel="email",
            recipient=user,
            address=contact.email,
            language=language,
            subject=subject[:300],
            body=body,
            thread_id=thread_id(ticket) if ticket else "",
            status=NotificationStatus.QUEUED,
        )
        events.collect_on_commit("notifications.deliver", row.pk, _enqueue)
    return row.pk
