"""The one-click links of the "is it solved?" email: /solved/<token>/ and
/reopen/<token>/, without signing in. GET shows a page with one button (mail scanners
open links, so nothing changes on GET); POST makes the change through the ticketing
services, which record it on the ticket's timeline."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from frontend.base_views import PortalView, customer_block_reason
from frontend.domain_errors import add_domain_error
from ticketing.errors import (
    InvalidInput,
    LinkExpired,
    LinkInvalid,
    ReopenWindowOver,
    TicketingError,
)
from ticketing.services.resolution import (
    LinkPurpose,
    ResolutionLink,
    resolution_link_open,
    ticket_confirm_by_link,
    ticket_reopen_by_link,
)
from ticketing.services.tickets import guest_access_token


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What is still not working? (optional)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ResolutionLinkView(PortalView):
    purpose: ClassVar[LinkPurpose] = LinkPurpose.CONFIRM

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            link = resolution_link_open(token=token, purpose=self.purpose)
        except TicketingError as error:
            return self._refused(request, error)
        return self._page(request, link, ReopenForm())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        form = ReopenForm(request.POST)
        try:
            link = resolution_link_open(token=token, purpose=self.purpose)
            blocked = self._blocked(request, link)
            if blocked is not None:
                return blocked
            if self.purpose == LinkPurpose.CONFIRM:
                link = ticket_confirm_by_link(token=token)
            elif not form.is_valid():
                return self._page(request, link, form, status=400)
            else:
                try:
                    link = ticket_reopen_by_link(token=token, comment=form.cleaned_data["comment"])
                except InvalidInput as error:
                    add_domain_error(form, error)
                    return self._page(request, link, form, status=400)
        except TicketingError as error:
            return self._refused(request, error)
        return self._page(request, link, form, just_done=True)

    def _blocked(self, request: HttpRequest, link: ResolutionLink) -> HttpResponse | None:
        reason = customer_block_reason(link.contact)
        if reason in ("suspended", "expired"):
            return render(request, "portal/account_blocked.html", {"reason": reason}, status=403)
        return None

    def _page(
        self,
        request: HttpRequest,
        link: ResolutionLink,
        form: ReopenForm,
        *,
        just_done: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        context: dict[str, Any] = {
            "link": link,
            "ticket": link.ticket,
            "form": form,
            "just_done": just_done,
            "ticket_url": reverse("portal:guest_ticket", args=[guest_access_token(link.ticket)]),
        }
        return render(request, "portal/resolution_link.html", context, status=status)

    def _refused(self, request: HttpRequest, error: TicketingError) -> HttpResponse:
        status = 404 if isinstance(error, LinkInvalid) else 410
        if not isinstance(error, LinkInvalid | LinkExpired | ReopenWindowOver):
            status = 400
        return render(
            request,
            "portal/resolution_link_refused.html",
            {"message": error.message, "expired": status == 410},
            status=status,
        )


class ConfirmSolvedView(ResolutionLinkView):
    purpose = LinkPurpose.CONFIRM


class ReopenView(ResolutionLinkView):
    purpose = LinkPurpose.REOPEN
