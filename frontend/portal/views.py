"""The customer portal: submit a ticket, follow it, reply, close, rate — signed in or
through the signed link a guest receives by email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from frontend.base_views import CustomerView, PortalView, customer_block_reason
from frontend.portal.forms import (
    RatingForm,
    ReplyForm,
    TicketLookupForm,
    TicketSubmitForm,
    add_service_errors,
    resolve_topic,
)
from notifications.direct import email_queue
from notifications.services import announcements_for
from tenants.services import tenant_in_maintenance
from ticketing.errors import TicketingError
from ticketing.models import (
    Attachment,
    Contact,
    HelpdeskSettings,
    SatisfactionRating,
    Ticket,
    TicketStatus,
)
from ticketing.permissions import contact_can_view, contact_of
from ticketing.selectors import ticket_conversation, tickets_of_contact, waiting_since
from ticketing.services.attachments import attachment_limits
from ticketing.services.conversation import reply_from_customer
from ticketing.services.operations import ticket_close_by_customer, ticket_rate
from ticketing.services.people import contact_for_email
from ticketing.services.tickets import (
    guest_access_token,
    ticket_create,
    ticket_for_guest_token,
    ticket_form_for,
)

TABS = ("open", "awaiting", "closed")


class HomeView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "portal/home.html",
            {"announcements": announcements_for(staff=False)},
        )


# --- submitting -------------------------------------------------------------------------


def attachment_help() -> str:
    max_mb, allowed = attachment_limits()
    kinds = sorted({kind.split("/")[-1].upper() for kind in allowed})
    return _("Up to %(count)d files, each at most %(size)d MB. Accepted: %(kinds)s.") % {
        "count": 10,
        "size": max_mb,
        "kinds": ", ".join(kinds),
    }


class TicketNewView(PortalView):
    """Choose a department or service, fill in its form, attach files."""

    template_name = "portal/ticket_new.html"

    def check_access(self, request: HttpRequest) -> HttpResponse | None:
        if tenant_in_maintenance(request.tenant):  # type: ignore[attr-defined]
            return render(request, "portal/maintenance.html", status=503)
        if request.user.is_authenticated:
            contact = contact_of(request.user)
            if contact is None:
                return render(request, "portal/no_customer_account.html", status=403)
            reason = customer_block_reason(contact)
            if reason is not None:
                context = {"reason": reason}
                return render(request, "portal/account_blocked.html", context, status=403)
        elif not HelpdeskSettings.current().allow_guest_tickets:
            return redirect_to_login(request.get_full_path())
        return None

    def _form(self, request: HttpRequest, topic: str, **kwargs: Any) -> TicketSubmitForm:
        department, category = resolve_topic(topic)
        ticket_form = (
            ticket_form_for(department=department, category=category) if department else None
        )
        return TicketSubmitForm(
            guest=not request.user.is_authenticated,
            ticket_form=ticket_form,
            allow_priority=HelpdeskSettings.current().customers_can_set_priority,
            attachment_help=attachment_help(),
            **kwargs,
        )

    def _render(self, request: HttpRequest, form: TicketSubmitForm, status: int = 200) -> Any:
        template = "portal/_ticket_fields.html" if self._fields_only(request) else None
        context = {"form": form, "attachment_help": attachment_help()}
        return render(request, template or self.template_name, context, status=status)

    def _fields_only(self, request: HttpRequest) -> bool:
        return request.method == "GET" and request.headers.get("HX-Target") == "custom-fields"

    def get(self, request: HttpRequest) -> HttpResponse:
        topic = request.GET.get("topic", "")
        form = self._form(request, topic, initial={"topic": topic})
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        topic = request.POST.get("topic", "")
        form = self._form(request, topic, data=request.POST, files=request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        if form.is_bot:
            return render(request, "portal/ticket_received.html", {"ticket": None})
        department, category = resolve_topic(form.cleaned_data["topic"])
        try:
            requester = self._requester(request, form)
            ticket = ticket_create(
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data.get("description", ""),
                channel="portal",
                requester=requester,
                department=department,
                category=category,
                priority=form.cleaned_data.get("priority"),
                custom_fields=form.custom_values(),
                attachments=[*form.cleaned_data.get("attachments", []), *form.custom_files()],
                actor_user=request.user if request.user.is_authenticated else None,
            )
        except TicketingError as error:
            add_service_errors(form, error, field_map={"requester": "email"})
            return self._render(request, form, status=400)
        messages.success(
            request,
            _("Thank you. Your ticket %(number)s has been received.")
            % {"number": ticket.reference},
        )
        if request.user.is_authenticated:
            return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.number]))
        return HttpResponseRedirect(
            reverse("portal:guest_ticket", args=[guest_access_token(ticket)])
        )

    def _requester(self, request: HttpRequest, form: TicketSubmitForm) -> Contact:
        if request.user.is_authenticated:
            contact = contact_of(request.user)
            assert contact is not None  # check_access let only customers through
            return contact
        return contact_for_email(
            email=form.cleaned_data["email"], full_name=form.cleaned_data["name"]
        )


class TicketLookupView(PortalView):
    """Anyone may ask for a ticket by number and email; the link goes to that address."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "portal/ticket_lookup.html", {"form": TicketLookupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TicketLookupForm(request.POST)
        if not form.is_valid():
            return render(request, "portal/ticket_lookup.html", {"form": form}, status=400)
        ticket = (
            Ticket.objects.select_related("requester")
            .filter(
                number=form.cleaned_data["number"],
                requester__email__iexact=form.cleaned_data["email"],
                is_internal=False,
            )
            .first()
        )
        if ticket is not None:
            _send_access_link(request, ticket)
        # The same answer either way: the page does not reveal which tickets exist.
        return render(request, "portal/ticket_lookup.html", {"form": None, "sent": True})


def _send_access_link(request: HttpRequest, ticket: Ticket) -> None:
    assert ticket.requester is not None
    link = request.build_absolute_uri(
        reverse("portal:guest_ticket", args=[guest_access_token(ticket)])
    )
    email_queue(
        to=ticket.requester.email,
        kind="ticket.access_link",
        ticket=ticket,
        subject=_("[%(number)s] Your link to the ticket") % {"number": ticket.reference},
        body=_(
            "Hello,\n\nsomeone (hopefully you) asked for a link to ticket %(number)s "
            "“%(subject)s”. Follow it to read the conversation and reply:\n\n%(link)s\n\n"
            "If this was not you, you can ignore this message."
        )
        % {"number": ticket.reference, "subject": ticket.subject, "link": link},
    )


# --- following a ticket -----------------------------------------------------------------


class TicketListView(CustomerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        tab = request.GET.get("tab", "open")
        if tab not in TABS:
            tab = "open"
        tickets = tickets_of_contact(contact=self.contact, state=tab)
        page = Paginator(tickets, 25).get_page(request.GET.get("page"))
        for ticket in page.object_list:
            ticket.waiting_since = waiting_since(ticket)  # type: ignore[attr-defined]
        counts = {
            name: tickets_of_contact(contact=self.contact, state=name).count() for name in TABS
        }
        context = {"tab": tab, "page": page, "tickets": page.object_list, "counts": counts}
        return render(request, "portal/ticket_list.html", context)


@dataclass(frozen=True)
class TicketAccess:
    """Who is looking at which ticket, and where its page lives."""

    ticket: Ticket
    contact: Contact
    base_url: str


class _TicketPage:
    """Shared by the signed-in and the signed-link ticket pages."""

    access: TicketAccess

    def page(
        self, request: HttpRequest, *, reply_form: ReplyForm | None = None, status: int = 200
    ) -> HttpResponse:
        ticket = self.access.ticket
        conversation = ticket_conversation(ticket=ticket, include_internal=False).select_related(
            "author_contact"
        )
        rating = SatisfactionRating.objects.filter(ticket=ticket).first()
        context = {
            "ticket": ticket,
            "contact": self.access.contact,
            "base_url": self.access.base_url,
            "conversation": conversation,
            "reply_form": reply_form or ReplyForm(),
            "attachment_help": attachment_help(),
            "can_close": ticket.requester_id == self.access.contact.pk
            and ticket.status not in (TicketStatus.CLOSED, TicketStatus.SPAM),
            "is_finished": ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED),
            "can_rate": ticket.requester_id == self.access.contact.pk
            and ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
            and rating is None,
            "rating": rating,
            "rating_choices": RatingForm.base_fields["score"].choices,  # type: ignore[attr-defined]
        }
        return render(request, "portal/ticket_detail.html", context, status=status)

    def act(self, request: HttpRequest, action: str) -> HttpResponse:
        ticket, contact = self.access.ticket, self.access.contact
        try:
            if action == "reply":
                form = ReplyForm(request.POST, request.FILES)
                if not form.is_valid():
                    return self.page(request, reply_form=form, status=400)
                try:
                    message = reply_from_customer(
                        ticket=ticket,
                        contact=contact,
                        body=form.cleaned_data["body"],
                        attachments=form.cleaned_data.get("attachments", []),
                    )
                except TicketingError as error:
                    add_service_errors(form, error)
                    return self.page(request, reply_form=form, status=400)
                if message.ticket_id != ticket.pk:  # reopen window passed: a follow-up ticket
                    messages.info(
                        request,
                        _("This ticket was closed long ago, so we opened %(number)s for you.")
                        % {"number": message.ticket.reference},
                    )
                    return HttpResponseRedirect(self._url_of(message.ticket))
                messages.success(request, _("Your reply has been sent."))
            elif action == "close":
                ticket_close_by_customer(ticket=ticket, contact=contact)
                messages.success(request, _("Glad it is solved. The ticket is now closed."))
            elif action == "rate":
                score = request.POST.get("score", "")
                ticket_rate(
                    ticket=ticket,
                    contact=contact,
                    score=int(score) if score.isdigit() else 0,
                    comment=request.POST.get("comment", "")[:2000],
                )
                messages.success(request, _("Thank you for your feedback."))
            else:
                raise Http404
        except TicketingError as error:
            messages.error(request, str(error.message))
        return HttpResponseRedirect(self.access.base_url)

    def _url_of(self, ticket: Ticket) -> str:
        current = f"/{self.access.ticket.number}/"
        return self.access.base_url.replace(current, f"/{ticket.number}/")

    def attachment(self, attachment_id: str) -> HttpResponseBase:
        if not attachment_id.isdigit() or len(attachment_id) > 12:
            raise Http404
        attachment = (
            Attachment.objects.filter(pk=int(attachment_id), ticket=self.access.ticket)
            .filter(Q(message__isnull=True) | ~Q(message__kind="internal_note"))
            .first()
        )
        if attachment is None:
            raise Http404
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CustomerTicketView(CustomerView, _TicketPage):
    """/tickets/<number>/ for the signed-in requester (or a copied contact)."""

    def check_access(self, request: HttpRequest) -> HttpResponse | None:
        number = str(self.kwargs.get("number", ""))
        ticket = (
            Ticket.objects.select_related("department", "priority", "requester")
            .filter(number=int(number) if number.isdigit() and len(number) < 16 else -1)
            .first()
        )
        if ticket is None or not contact_can_view(self.contact, ticket):
            raise Http404
        base = reverse("portal:ticket", args=[ticket.number])
        self.access = TicketAccess(ticket=ticket, contact=self.contact, base_url=base)
        return None

    def get(self, request: HttpRequest, number: int, attachment_id: str = "") -> HttpResponseBase:
        if attachment_id:
            return self.attachment(attachment_id)
        return self.page(request)

    def post(self, request: HttpRequest, number: int, action: str = "") -> HttpResponse:
        return self.act(request, action)


class GuestTicketView(PortalView, _TicketPage):
    """/t/<token>/ — the signed link from the acknowledgement email."""

    def check_access(self, request: HttpRequest) -> HttpResponse | None:
        ticket = ticket_for_guest_token(str(self.kwargs.get("token", "")))
        if ticket is None or ticket.requester is None or ticket.is_internal:
            raise Http404
        if customer_block_reason(ticket.requester) in ("suspended", "expired"):
            context = {"reason": customer_block_reason(ticket.requester)}
            return render(request, "portal/account_blocked.html", context, status=403)
        base = reverse("portal:guest_ticket", args=[self.kwargs["token"]])
        self.access = TicketAccess(ticket=ticket, contact=ticket.requester, base_url=base)
        return None

    def get(self, request: HttpRequest, token: str, attachment_id: str = "") -> HttpResponseBase:
        if attachment_id:
            return self.attachment(attachment_id)
        return self.page(request)

    def post(self, request: HttpRequest, token: str, action: str = "") -> HttpResponse:
        return self.act(request, action)

    def _url_of(self, ticket: Ticket) -> str:
        return reverse("portal:guest_ticket", args=[guest_access_token(ticket)])
