"""The customer knowledge base on the portal: browse, read, vote, search, and the
suggestions shown while a customer types a ticket subject. Published articles only."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from frontend.base_views import PortalView
from kb import selectors, services
from kb.errors import ArticleInvalid
from kb.models import KbCategory
from kb.selectors import Audience

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _language(code: str) -> str:
    if code not in LANGUAGES:
        raise Http404
    return code


def _current_language() -> str:
    language = get_language() or settings.LANGUAGE_CODE
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


class HelpHomeRedirect(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("kb_portal:home", language=_current_language())


class HelpHomeView(PortalView):
    def get(self, request: HttpRequest, language: str) -> HttpResponse:
        language = _language(language)
        recent = [
            view
            for article in selectors.article_list(audience=Audience.CUSTOMER)[:10]
            if (view := _view(article, language)) is not None
        ]
        return render(
            request,
            "kb/portal_home.html",
            {
                "language": language,
                "tree": selectors.category_tree(audience=Audience.CUSTOMER),
                "recent": recent,
            },
        )


def _view(article: Any, language: str) -> selectors.ArticleView | None:
    translation = selectors.translation_for(article, language)
    return selectors.ArticleView(article, translation) if translation else None


class HelpCategoryView(PortalView):
    def get(self, request: HttpRequest, language: str, pk: int, slug: str = "") -> HttpResponse:
        language = _language(language)
        category = get_object_or_404(KbCategory, pk=pk)
        articles = [
            view
            for article in selectors.article_list(audience=Audience.CUSTOMER, category_id=pk)
            if (view := _view(article, language)) is not None
        ]
        return render(
            request,
            "kb/portal_category.html",
            {
                "language": language,
                "category": category,
                "name": category.name_in(language),
                "path": selectors.category_path(category=category),
                "children": category.children.order_by("position", "name"),
                "articles": articles,
            },
        )


class HelpArticleView(PortalView):
    def get(self, request: HttpRequest, language: str, pk: int, slug: str = "") -> HttpResponse:
        language = _language(language)
        view = selectors.article_view(audience=Audience.CUSTOMER, pk=pk, language=language)
        if view is None:
            raise Http404
        if slug != view.translation.slug:  # one readable address per article and language
            return HttpResponseRedirect(f"/help/{language}/articles/{view.url_slug}/", status=301)
        category = view.article.category
        return render(
            request,
            "kb/portal_article.html",
            {
                "language": language,
                "view": view,
                "path": selectors.category_path(category=category) if category else [],
                "voted": request.session.get(f"kb-voted-{pk}"),
            },
        )


class HelpVoteView(PortalView):
    def post(self, request: HttpRequest, language: str, pk: int) -> HttpResponse:
        language = _language(language)
        view = selectors.article_view(audience=Audience.CUSTOMER, pk=pk, language=language)
        if view is None:
            raise Http404
        helpful = request.POST.get("helpful") == "yes"
        if request.user.is_authenticated:
            voter = f"user:{request.user.pk}"
        else:
            if not request.session.session_key:
                request.session.save()
            voter = f"session:{request.session.session_key}"
        with contextlib.suppress(ArticleInvalid):  # no session: nothing to count against
            services.article_vote(article=view.article, voter=voter, helpful=helpful)
        request.session[f"kb-voted-{pk}"] = "yes" if helpful else "no"
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "kb/_vote.html",
                {"language": language, "view": view, "voted": request.session[f"kb-voted-{pk}"]},
            )
        return HttpResponseRedirect(f"/help/{language}/articles/{view.url_slug}/")


class HelpAttachmentView(PortalView):
    """A file of a published article (drafts' and internal articles' files stay hidden)."""

    def get(self, request: HttpRequest, language: str, pk: int, file_id: int) -> FileResponse:
        language = _language(language)
        article = selectors.article_get(audience=Audience.CUSTOMER, pk=pk)
        if article is None:
            raise Http404
        attachment = get_object_or_404(article.attachments, pk=file_id)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )


class HelpSearchView(PortalView):
    def get(self, request: HttpRequest, language: str) -> HttpResponse:
        language = _language(language)
        query = request.GET.get("q", "")[:200]
        results = selectors.article_search(
            audience=Audience.CUSTOMER, text=query, language=language
        )
        return render(
            request,
            "kb/portal_search.html",
            {"language": language, "query": query, "results": results},
        )


class HelpSuggestView(PortalView):
    """An HTML fragment of the best-matching articles for ``q`` (htmx, while typing)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        language = _current_language()
        query = request.GET.get("q", request.GET.get("subject", ""))[:200]
        suggestions = selectors.article_suggestions(text=query, language=language)
        return render(
            request,
            "kb/_suggestions.html",
            {
                "language": language,
                "suggestions": suggestions,
                "query": query,
                "heading": _("These articles may answer your question"),
            },
        )
