"""In-app notifications: the page, and the unread badge the layout polls (htmx) so new
notifications appear without a reload."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.generic import View

from frontend.base_views import StaffView
from notifications.inbox import inbox_list, inbox_mark_read
from notifications.services import unread_count


class InboxView(StaffView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "console/inbox.html",
            {"notifications": list(inbox_list(user_id=self.agent.user_id))},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        inbox_mark_read(user_id=self.agent.user_id)
        return HttpResponseRedirect("/console/notifications/")


class UnreadBadgeView(StaffView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "console/_unread_badge.html",
            {"unread": unread_count(user_id=self.agent.user_id)},
        )
