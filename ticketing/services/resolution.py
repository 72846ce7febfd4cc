"""One-click answers to the "is it solved?" email: two signed, expiring, single-purpose
links — confirm (closes the ticket) and reopen (within the tenant's reopen window).

A token names the tenant's schema, the ticket, its purpose and the resolution it answers
(``resolved_at``), signed with a salt per purpose: a token of tenant A is refused on
tenant B's host, a confirm token cannot reopen, and the links of an earlier resolution
stop working once the ticket was reopened and resolved again. The links only lead to a
page; the change happens when the customer presses its button (a POST), because mail
scanners open every link they find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.db import connection
from ticketing.errors import InvalidInput, LinkExpired, LinkInvalid, ReopenWindowOver
from ticketing.models import Contact, HelpdeskSettings, Ticket
from ticketing.models.tickets import TicketStatus as S
from ticketing.services._common import lock_ticket, now
from ticketing.services.conversation import reply_from_customer
from ticketing.services.operations import status_apply

#: Days a link in the email keeps working (the reopen window may end it sooner).
LINK_MAX_AGE_DAYS = 30


class LinkPurpose(StrEnum):
    CONFIRM = "confirm"
    REOPEN = "reopen"


class LinkState(StrEnum):
    READY = "ready"  # the button may be pressed
    DONE = "done"  # already answered this way (a second click, or a reload)
    STALE = "stale"  # the ticket moved on since the email (reopened, resolved again)


@dataclass(frozen=True)
class ResolutionLink:
    ticket: Ticket
    contact: Contact
    purpose: LinkPurpose
    state: LinkState
    #: The resolution the link answers (``resolved_at`` as a Unix time).
    stamp: int


def _salt(purpose: LinkPurpose) -> str:
    return f"ticketing.resolution-link.{purpose}"


def _stamp(ticket: Ticket) -> int:
    return int(ticket.resolved_at.timestamp()) if ticket.resolved_at else 0


def resolution_link_token(*, ticket: Ticket, purpose: LinkPurpose) -> str:
    """The token of one link in the resolved email (no database access)."""
    payload = {"s": connection.schema_name, "t": ticket.pk, "r": _stamp(ticket)}
    return signing.dumps(payload, salt=_salt(purpose))


def _window_over(ticket: Ticket) -> bool:
    since = ticket.closed_at if ticket.status == S.CLOSED else ticket.resolved_at
    window = timedelta(days=HelpdeskSettings.current().reopen_window_days)
    return since is not None and now() - since > window


def _state(ticket: Ticket, purpose: LinkPurpose, stamp: int) -> LinkState:
    answered_this_resolution = ticket.resolved_at is not None and _stamp(ticket) == stamp
    if purpose == LinkPurpose.CONFIRM:
        if ticket.status == S.RESOLVED and answered_this_resolution:
            return LinkState.READY
        if ticket.status == S.CLOSED and answered_this_resolution:
            return LinkState.DONE
        return LinkState.STALE
    if ticket.status in (S.RESOLVED, S.CLOSED) and answered_this_resolution:
        if _window_over(ticket):
            raise ReopenWindowOver(
                _("This request was closed too long ago to reopen it. Please open a new one.")
            )
        return LinkState.READY
    if ticket.resolved_at is None and ticket.status not in (S.RESOLVED, S.CLOSED, S.SPAM):
        return LinkState.DONE  # reopened already (by this link or otherwise)
    return LinkState.STALE


def resolution_link_open(*, token: str, purpose: LinkPurpose) -> ResolutionLink:
    """What a link leads to, without changing anything. Raises ``LinkInvalid`` (not
    genuine, another help desk's, another purpose's, no such ticket), ``LinkExpired`` or
    ``ReopenWindowOver``."""
    try:
        data = signing.loads(token, salt=_salt(purpose), max_age=LINK_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as error:
        raise LinkExpired(
            _("This link has expired. Reply to the email or open a new request.")
        ) from error
    except signing.BadSignature as error:
        raise LinkInvalid(_("This link is not valid.")) from error
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:
        raise LinkInvalid(_("This link is not valid."))
    ticket_id = data.get("t")
    if not isinstance(ticket_id, int):
        raise LinkInvalid(_("This link is not valid."))
    ticket = Ticket.objects.select_related("requester__user").filter(pk=ticket_id).first()
    if ticket is None or ticket.requester is None or ticket.merged_into_id is not None:
        raise LinkInvalid(_("This link is not valid."))
    stamp = int(data.get("r") or 0)
    state = _state(ticket, purpose, stamp)
    return ResolutionLink(ticket, ticket.requester, purpose, state, stamp)


def _answered(link: ResolutionLink, ticket: Ticket, state: LinkState) -> ResolutionLink:
    return ResolutionLink(ticket, link.contact, link.purpose, state, link.stamp)


def ticket_confirm_by_link(*, token: str) -> ResolutionLink:
    """ "Yes, this is solved": the resolved ticket is closed by its requester."""
    link = resolution_link_open(token=token, purpose=LinkPurpose.CONFIRM)
    if link.state != LinkState.READY:
        return link
    with transaction.atomic():
        ticket = lock_ticket(link.ticket)
        state = _state(ticket, LinkPurpose.CONFIRM, link.stamp)
        if state != LinkState.READY:  # answered meanwhile (a double click)
            return _answered(link, ticket, state)
        status_apply(
            ticket=ticket,
            status=S.CLOSED,
            actor_user=link.contact.user,
            actor_name=link.contact.full_name,
            note=_("The customer confirmed the solution from the email."),
        )
    return _answered(link, ticket, LinkState.DONE)


def ticket_reopen_by_link(*, token: str, comment: str = "") -> ResolutionLink:
    """ "No, reopen": within the reopen window the ticket is reopened by its requester;
    a comment becomes their reply on it (which reopens it, by the rules of replies)."""
    link = resolution_link_open(token=token, purpose=LinkPurpose.REOPEN)
    if link.state != LinkState.READY:
        return link
    comment = comment.strip()
    if len(comment) > 10000:
        message = _("Please keep the comment under 10,000 characters.")
        raise InvalidInput(message, field_errors={"comment": [message]})
    with transaction.atomic():
        ticket = lock_ticket(link.ticket)
        state = _state(ticket, LinkPurpose.REOPEN, link.stamp)
        if state != LinkState.READY:  # answered meanwhile (a double click)
            return _answered(link, ticket, state)
        if comment:  # no attachments: nothing is stored inside this transaction
            reply_from_customer(ticket=ticket, contact=link.contact, body=comment, channel="email")
        else:
            status_apply(
                ticket=ticket,
                status=S.OPEN,
                actor_user=link.contact.user,
                actor_name=link.contact.full_name,
                note=_("The customer reopened the request from the email."),
            )
    return _answered(link, Ticket.objects.get(pk=ticket.pk), LinkState.DONE)
