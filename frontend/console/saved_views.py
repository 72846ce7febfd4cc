"""Saved views of the ticket list: save the current filters under a name, rename,
re-share or delete one's own views. The rules (who may share with whom, which filters
are valid) are ``ticketing.services.saved_views``'s; this parses and renders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import View

from frontend.base_views import StaffView
from frontend.console.forms import SavedViewForm
from ticketing.errors import TicketingError
from ticketing.models import Agent, SavedView
from ticketing.selectors import saved_view_get, saved_views_visible
from ticketing.services import saved_views

#: Parameters of the list page that are not filters.
NOT_FILTERS = ("page", "view")


def filters_from_query(query: str) -> dict[str, str]:
    """The filters a query string carries; repeated keys keep their last value."""
    params = QueryDict(query)
    return {key: params[key] for key in params if key not in NOT_FILTERS}


def add_saved_view_error(form: forms.Form, error: TicketingError) -> None:
    """Errors about the form's own fields go beside them; errors about a filter name it,
    so the agent knows which filter was refused."""
    placed = False
    for key, problems in error.field_errors.items():
        for problem in problems:
            if key.startswith("filters."):
                form.add_error(
                    None,
                    _("Filter “%(key)s”: %(problem)s")
                    % {"key": key.removeprefix("filters."), "problem": problem},
                )
            elif key in form.fields and key != "filters":
                form.add_error(key, problem)
            else:
                form.add_error(None, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def own_view_forms(agent: Agent, views: list[SavedView]) -> list[tuple[SavedView, Any]]:
    for view in views:
        view.list_url = view_url(view)  # type: ignore[attr-defined]
    return [
        (
            view,
            SavedViewForm(
                initial={
                    "name": view.name,
                    "visibility": view.visibility,
                    "department": view.department_id,
                },
                auto_id=f"id_view{view.pk}_%s",
            )
            if view.owner_id == agent.pk
            else None,
        )
        for view in views
    ]


class SavedViewListView(StaffView, View):
    """GET: the views the agent sees, their own ones editable. POST: save a new view."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, SavedViewForm(auto_id="id_save_%s"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SavedViewForm(request.POST, auto_id="id_save_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                view = saved_views.saved_view_create(
                    owner=self.agent,
                    name=data["name"],
                    filters=filters_from_query(data.get("filters") or ""),
                    visibility=data["visibility"],
                    department=data.get("department"),
                )
            except TicketingError as error:
                add_saved_view_error(form, error)
            else:
                messages.success(request, _("View saved."))
                return HttpResponseRedirect(view_url(view))
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        views = list(saved_views_visible(agent=self.agent))
        return render(
            request,
            "console/saved_views.html",
            {"form": form, "views": own_view_forms(self.agent, views)},
            status=status,
        )


def view_url(view: SavedView) -> str:
    query = QueryDict(mutable=True)
    query.update({**view.filters, "view": str(view.pk)})
    return f"/console/tickets/?{query.urlencode()}"


class SavedViewEditView(StaffView, View):
    """POST /console/views/<pk>/: rename or re-share (``name``…) or ``delete`` one's own
    view. Another agent's private view is a 404; a shared one the agent does not own, 403."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = saved_view_get(agent=self.agent, pk=pk)
        if view is None:
            raise Http404
        if view.owner_id != self.agent.pk:
            raise Forbidden
        if request.POST.get("delete"):
            saved_views.saved_view_delete(view=view, actor=self.agent)
            messages.success(request, _("View deleted."))
            return HttpResponseRedirect("/console/views/")
        form = SavedViewForm(request.POST, auto_id=f"id_view{view.pk}_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved_views.saved_view_update(
                    view=view,
                    actor=self.agent,
                    name=data["name"],
                    visibility=data["visibility"],
                    department=data.get("department"),
                    filters=filters_from_query(data["filters"]) if data.get("filters") else None,
                )
            except TicketingError as error:
                add_saved_view_error(form, error)
            else:
                messages.success(request, _("View saved."))
                return HttpResponseRedirect("/console/views/")
        views = list(saved_views_visible(agent=self.agent))
        rows = [
            (row, form if row.pk == view.pk else row_form)
            for row, row_form in own_view_forms(self.agent, views)
        ]
        return render(
            request,
            "console/saved_views.html",
            {"form": SavedViewForm(auto_id="id_save_%s"), "views": rows},
            status=400,
        )
