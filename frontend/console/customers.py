"""Phone-channel work: find a customer by employee number, name, phone or email, create
or edit them, and open a ticket on their behalf on the department's form, with the
suggested assignee shown. Also internal tickets between agents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from frontend.base_views import StaffView
from frontend.console.forms import ContactForm, InternalTicketForm, TicketOnBehalfForm
from frontend.custom_fields import add_custom_fields, custom_values, field_errors_with_prefix
from frontend.domain_errors import add_domain_error, is_htmx, search_text
from ticketing.errors import TicketingError
from ticketing.models import Channel, Contact, Department, Ticket
from ticketing.selectors import contacts_lookup, tickets_of_contact
from ticketing.services.assignment import assignee_suggest
from ticketing.services.people import contact_create, contact_update
from ticketing.services.tickets import _form_for, ticket_create


class CustomerLookupView(StaffView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        query = search_text(request)
        results = list(contacts_lookup(query=query)) if query.strip() else []
        template = (
            "console/_customer_results.html" if is_htmx(request) else "console/customers.html"
        )
        return render(request, template, {"query": query, "results": results})


class CustomerEditView(StaffView, View):
    """Create (no pk) or edit a customer."""

    def _contact(self, pk: int | None) -> Contact | None:
        if pk is None:
            return None
        contact = Contact.objects.filter(pk=pk).first()
        if contact is None:
            raise Http404
        return contact

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        contact = self._contact(pk)
        initial = {}
        if contact is None:
            query = request.GET.get("q", "").strip()
            if "@" in query:
                initial["email"] = query
            elif query.replace("+", "").replace(" ", "").isdigit():
                initial["phone"] = query
            else:
                initial["full_name"] = query
        form = ContactForm(instance=contact, initial=initial)
        return self._page(request, form, contact)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        contact = self._contact(pk)
        form = ContactForm(request.POST, instance=contact)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            try:
                if contact is None:
                    contact = contact_create(**fields)
                    messages.success(request, _("Customer created."))
                else:
                    contact = contact_update(contact=contact, **fields)
                    messages.success(request, _("Customer saved."))
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                return HttpResponseRedirect(f"/console/customers/{contact.pk}/")
        return self._page(request, form, contact, status=400)

    def _page(
        self,
        request: HttpRequest,
        form: forms.BaseForm,
        contact: Contact | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request, "console/customer_form.html", {"form": form, "contact": contact}, status=status
        )


class CustomerView(StaffView, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = Contact.objects.select_related("organization").filter(pk=pk).first()
        if contact is None:
            raise Http404
        return render(
            request,
            "console/customer.html",
            {
                "contact": contact,
                "open_tickets": list(tickets_of_contact(contact=contact, state="open")[:20]),
                "closed_tickets": list(tickets_of_contact(contact=contact, state="closed")[:20]),
            },
        )


class TicketOnBehalfView(StaffView, View):
    """A ticket opened by an agent for a customer (phone, walk-in)."""

    def _contact(self, pk: int) -> Contact:
        contact = Contact.objects.select_related("organization").filter(pk=pk).first()
        if contact is None:
            raise Http404
        return contact

    def _department(self, raw: str | None) -> Department | None:
        if raw and str(raw).isdigit():
            return Department.objects.filter(pk=int(raw), is_active=True).first()
        return None

    def _form(
        self, department: Department | None, data: Any = None, files: Any = None
    ) -> tuple[TicketOnBehalfForm, list[str]]:
        initial = {"department": department.pk} if department else {}
        form = TicketOnBehalfForm(data=data, files=files, initial=initial)
        keys = add_custom_fields(form, _form_for(department, None)) if department else []
        return form, keys

    def _suggested(self, contact: Contact, department: Department | None) -> Any:
        if department is None:
            return None
        draft = Ticket(department=department, requester=contact)
        return assignee_suggest(ticket=draft, at=timezone.now())

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self._contact(pk)
        department = self._department(request.GET.get("department"))
        form, keys = self._form(department)
        return self._page(request, contact, department, form, keys)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self._contact(pk)
        department = self._department(request.POST.get("department"))
        form, keys = self._form(department, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_create(
                    subject=data["subject"],
                    description=data.get("description") or "",
                    channel=Channel.PHONE,
                    requester=contact,
                    department=data["department"],
                    category=data.get("category"),
                    priority=data.get("priority"),
                    product=data.get("product"),
                    custom_fields=custom_values(data, keys),
                    attachments=data.get("attachments") or [],
                    assignee=data.get("assignee"),
                    created_by=self.agent,
                    actor_user=request.user,
                )
            except TicketingError as error:
                error.field_errors = field_errors_with_prefix(error.field_errors, keys)
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Ticket %(reference)s opened.") % {"reference": ticket.reference}
                )
                return HttpResponseRedirect(f"/console/tickets/{ticket.number}/")
        return self._page(request, contact, department, form, keys, status=400)

    def _page(
        self,
        request: HttpRequest,
        contact: Contact,
        department: Department | None,
        form: forms.Form,
        keys: list[str],
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "console/ticket_new.html",
            {
                "contact": contact,
                "department": department,
                "form": form,
                "suggested": self._suggested(contact, department),
            },
            status=status,
        )


class InternalTicketView(StaffView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "console/internal_new.html", {"form": InternalTicketForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InternalTicketForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_create(
                    subject=data["subject"],
                    description=data["description"],
                    channel=Channel.INTERNAL,
                    department=data["department"],
                    assignee=data.get("assignee"),
                    created_by=self.agent,
                    is_internal=True,
                    actor_user=request.user,
                )
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Ticket %(reference)s opened.") % {"reference": ticket.reference}
                )
                return HttpResponseRedirect(f"/console/tickets/{ticket.number}/")
        return render(request, "console/internal_new.html", {"form": form}, status=400)
