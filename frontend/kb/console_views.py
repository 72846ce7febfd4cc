"""The knowledge base and ticket search in the agent console. Agents see drafts and
internal articles too; every body is sanitised by kb.services on save."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from frontend.base_views import StaffView
from frontend.kb.forms import ArticleForm, CategoryForm, TicketSearchForm
from kb import selectors, services
from kb.models import Article, ArticleStatus
from kb.selectors import Audience
from ticketing import selectors as ticket_selectors
from ticketing.errors import TicketingError
from ticketing.models import Agent, Department, TicketStatus
from ticketing.search import TicketSearch, resolved_tickets_like, ticket_search

PAGE = 50


def _language() -> str:
    language = get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else settings.LANGUAGE_CODE


def _form_errors(form: Any, error: TicketingError) -> None:
    for field, problems in (error.field_errors or {}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not error.field_errors:
        form.add_error(None, error.message)


def _attach(form: ArticleForm, article: Article, agent: Agent) -> None:
    upload = form.cleaned_data.get("attachment")
    if upload:
        services.article_attach(article=article, agent=agent, files=[upload])


class ArticleListView(StaffView):
    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")[:200]
        status = request.GET.get("status", "")
        if query:
            views = selectors.article_search(
                audience=Audience.AGENT, text=query, language=_language(), limit=PAGE
            )
            if status:
                views = [v for v in views if v.article.status == status]
        else:
            views = [
                selectors.ArticleView(article, translation)
                for article in selectors.article_list(
                    audience=Audience.AGENT, status=status or None
                )[:PAGE]
                if (translation := selectors.translation_for(article, _language()))
            ]
        return render(
            request,
            "kb/console_list.html",
            {
                "views": views,
                "query": query,
                "status": status,
                "statuses": ArticleStatus.choices,
                "category_form": CategoryForm(),
                "tree": selectors.category_tree(audience=Audience.AGENT),
            },
        )


class ArticleCreateView(StaffView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = ArticleForm(initial={"language": _language(), "status": ArticleStatus.DRAFT})
        return render(request, "kb/console_edit.html", {"form": form, "article": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                article = services.article_create(
                    agent=self.agent,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data["language"],
                    status=form.cleaned_data["status"],
                    category=form.cleaned_data["category"],
                    tags=form.tag_list(),
                )
                _attach(form, article, self.agent)
            except TicketingError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Article saved."))
                return HttpResponseRedirect(f"/console/kb/{article.pk}/")
        return render(request, "kb/console_edit.html", {"form": form, "article": None}, status=422)


class ArticleEditView(StaffView):
    def _article(self, pk: int) -> Article:
        article = selectors.article_get(audience=Audience.AGENT, pk=pk)
        if article is None:
            raise Http404
        return article

    def _page(
        self, request: HttpRequest, article: Article, form: ArticleForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "kb/console_edit.html",
            {
                "form": form,
                "article": article,
                "translations": article.translations.all(),
                "revisions": selectors.article_revisions(article=article)[:50],
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = self._article(pk)
        language = request.GET.get("language") or article.language
        translation = selectors.translation_for(article, language)
        same = translation is not None and translation.language == language
        form = ArticleForm(
            initial={
                "title": translation.title if same and translation else "",
                "body": translation.body if same and translation else "",
                "language": language,
                "status": article.status,
                "category": article.category_id,
                "tags": ", ".join(article.tags),
            }
        )
        return self._page(request, article, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = self._article(pk)
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                _attach(form, article, self.agent)
                services.article_update(
                    article=article,
                    agent=self.agent,
                    language=form.cleaned_data["language"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    status=form.cleaned_data["status"],
                    category=form.cleaned_data["category"],
                    tags=form.tag_list(),
                )
            except TicketingError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Article saved."))
                return HttpResponseRedirect(
                    f"/console/kb/{article.pk}/?language={form.cleaned_data['language']}"
                )
        return self._page(request, article, form, status=422)


class CategoryCreateView(StaffView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(
                    agent=self.agent,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                )
                messages.success(request, _("Category added."))
            except TicketingError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Give the category a name."))
        return HttpResponseRedirect("/console/kb/")


class ArticleFromTicketView(StaffView):
    """One step from a resolved ticket to a draft article (problem and resolution filled)."""

    def post(self, request: HttpRequest, ticket_id: int) -> HttpResponse:
        ticket = ticket_selectors.ticket_get(agent=self.agent, pk=ticket_id)
        if ticket is None:
            raise Http404
        try:
            article = services.article_from_ticket(
                ticket=ticket, agent=self.agent, language=_language()
            )
        except TicketingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.headers.get("Referer") or "/console/kb/")
        messages.success(request, _("Draft article created from the ticket."))
        return HttpResponseRedirect(f"/console/kb/{article.pk}/")


class TicketRelatedView(StaffView):
    """Beside a ticket: related articles and similar resolved tickets (HTML fragment)."""

    def get(self, request: HttpRequest, ticket_id: int) -> HttpResponse:
        ticket = ticket_selectors.ticket_get(agent=self.agent, pk=ticket_id)
        if ticket is None:
            raise Http404
        return render(
            request,
            "kb/_related.html",
            {
                "ticket": ticket,
                "articles": selectors.articles_related_to_ticket(
                    ticket=ticket, language=_language()
                ),
                "similar": resolved_tickets_like(ticket=ticket, agent=self.agent),
                "can_draft": ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED),
                # Links for the customer: only where the reply box is (not internal).
                "can_reply": not ticket.is_internal,
                "portal_root": f"{request.scheme}://{request.get_host()}",
            },
        )


class TicketSearchView(StaffView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = TicketSearchForm(request.GET or None)
        agents = (
            Agent.objects.select_related("user").filter(is_active=True).order_by("user__full_name")
        )
        form.fields["agent"].widget.choices = [("", "—")] + [(a.pk, a.display_name) for a in agents]
        tickets: list[Any] = []
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = {key: data[key] for key in ("status", "department") if data.get(key)}
            search = TicketSearch(
                text=data["q"] or "",
                customer=data["customer"] or "",
                agent_id=data["agent"],
                created_after=data["created_after"],
                created_before=data["created_before"],
                filters=filters,
            )
            tickets = list(ticket_search(agent=self.agent, search=search)[:PAGE])
        return render(
            request,
            "kb/console_ticket_search.html",
            {
                "form": form,
                "tickets": tickets,
                "departments": Department.objects.order_by("name"),
                "statuses": TicketStatus.choices,
            },
        )
