"""Writes of the knowledge base. Bodies are sanitised here, on every save, so no page or
API response ever has to trust stored HTML."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kb.errors import ArticleInvalid, ArticleNotFromResolvedTicket, CategoryCycle
from kb.models import (
    Article,
    ArticleAttachment,
    ArticleRevision,
    ArticleStatus,
    ArticleTranslation,
    ArticleVote,
    KbCategory,
)
from ticketing import permissions
from ticketing.errors import PermissionDenied
from ticketing.models import Agent, MessageKind, Ticket, TicketStatus
from ticketing.services.attachments import attachments_prepare

#: Tags and attributes an article may use; everything else (scripts, event handlers,
#: styles, ``javascript:`` links) is removed.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"dir", "lang"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_TITLE = 250
MAX_BODY = 500_000


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def body_sanitise(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def _clean(*, title: str, body: str, language: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = [_("Give the article a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is too long.")]
    if len(body or "") > MAX_BODY:
        errors["body"] = [_("The article is too long.")]
    if language not in languages():
        errors["language"] = [_("Choose one of the help desk's languages.")]
    if errors:
        raise ArticleInvalid(next(iter(errors.values()))[0], field_errors=errors)
    return title, body_sanitise(body)


def _slug(title: str) -> str:
    return slugify(title, allow_unicode=True)[:120].strip("-") or "article"


def _tags(tags: Sequence[str]) -> list[str]:
    cleaned = {str(tag).strip().casefold()[:50] for tag in tags}
    return sorted(tag for tag in cleaned if tag)


def _require_editor(agent: Agent) -> None:
    if not agent.is_active:
        raise PermissionDenied(_("Only active agents edit the knowledge base."))


def _revise(*, article: Article, translation: ArticleTranslation, agent: Agent, at: Any) -> None:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        language=translation.language,
        title=translation.title,
        body=translation.body,
        status=article.status,
        author=agent.user,
        author_name=agent.display_name,
        created_at=at,
    )


def article_create(
    *,
    agent: Agent,
    title: str,
    body: str,
    language: str,
    category: KbCategory | None = None,
    status: str = ArticleStatus.DRAFT,
    tags: Sequence[str] = (),
    source_ticket: Ticket | None = None,
) -> Article:
    _require_editor(agent)
    title, body = _clean(title=title, body=body, language=language)
    if status not in ArticleStatus.values:
        raise ArticleInvalid(_("Unknown status."), field_errors={"status": [_("Unknown status.")]})
    at = timezone.now()
    with transaction.atomic():
        article = Article.objects.create(
            category=category,
            status=status,
            tags=_tags(tags),
            author=agent.user,
            language=language,
            source_ticket=source_ticket,
            created_at=at,
            updated_at=at,
            published_at=at if status == ArticleStatus.PUBLISHED else None,
        )
        translation = ArticleTranslation.objects.create(
            article=article,
            language=language,
            title=title,
            slug=_slug(title),
            body=body,
            updated_at=at,
        )
        _revise(article=article, translation=translation, agent=agent, at=at)
    return article


_UNSET: Any = object()


def article_update(
    *,
    article: Article,
    agent: Agent,
    language: str | None = None,
    title: str | None = None,
    body: str | None = None,
    status: str | None = None,
    category: KbCategory | None = _UNSET,
    tags: Sequence[str] | None = None,
) -> Article:
    """Change an article or add/replace one translation (a new revision each time the
    text changes)."""
    _require_editor(agent)
    language = language or article.language
    at = timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        fields = ["updated_at"]
        if status is not None:
            if status not in ArticleStatus.values:
                raise ArticleInvalid(
                    _("Unknown status."), field_errors={"status": [_("Unknown status.")]}
                )
            if status == ArticleStatus.PUBLISHED and article.published_at is None:
                article.published_at = at
                fields.append("published_at")
            article.status = status
            fields.append("status")
        if category is not _UNSET:
            article.category = category
            fields.append("category")
        if tags is not None:
            article.tags = _tags(tags)
            fields.append("tags")
        article.updated_at = at
        article.save(update_fields=fields)
        if title is not None or body is not None:
            current = article.translations.filter(language=language).first()
            new_title, new_body = _clean(
                title=title if title is not None else (current.title if current else ""),
                body=body if body is not None else (current.body if current else ""),
                language=language,
            )
            translation, _created = ArticleTranslation.objects.update_or_create(
                article=article,
                language=language,
                defaults={
                    "title": new_title,
                    "slug": _slug(new_title),
                    "body": new_body,
                    "updated_at": at,
                },
            )
            _revise(article=article, translation=translation, agent=agent, at=at)
    return article


def article_delete_translation(*, article: Article, agent: Agent, language: str) -> None:
    _require_editor(agent)
    if language == article.language:
        raise ArticleInvalid(_("The original language cannot be removed."))
    article.translations.filter(language=language).delete()


def article_vote(*, article: Article, voter: str, helpful: bool) -> Article:
    """Record one reader's answer; a second answer replaces the first."""
    if not voter:
        raise ArticleInvalid(_("Voting needs a session."))
    at = timezone.now()
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        earlier = ArticleVote.objects.filter(article=locked, voter=voter[:80]).first()
        if earlier is not None and earlier.helpful == helpful:
            return locked
        yes, no = (1, 0) if helpful else (0, 1)
        if earlier is None:
            ArticleVote.objects.create(article=locked, voter=voter[:80], helpful=helpful, at=at)
        else:  # the reader changed their mind: their earlier answer is taken back
            earlier.helpful, earlier.at = helpful, at
            earlier.save(update_fields=["helpful", "at"])
            yes, no = (1, -1) if helpful else (-1, 1)
        Article.objects.filter(pk=locked.pk).update(
            helpful_count=F("helpful_count") + yes, not_helpful_count=F("not_helpful_count") + no
        )
        locked.refresh_from_db()
    return locked


def article_attach(*, article: Article, agent: Agent, files: Sequence[Any]) -> list[Any]:
    """Files checked and stored (outside the transaction) like ticket attachments."""
    _require_editor(agent)
    stored = attachments_prepare(list(files))
    at = timezone.now()
    return [
        ArticleAttachment.objects.create(
            article=article,
            file=item.name,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=agent.user,
            created_at=at,
        )
        for item in stored
    ]


def article_from_ticket(*, ticket: Ticket, agent: Agent, language: str | None = None) -> Article:
    """A draft from a resolved ticket: the problem (subject, description) and the
    resolution (the help desk's last public reply), for an agent to edit and publish."""
    permissions.require_view(agent, ticket)
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise ArticleNotFromResolvedTicket(_("Only resolved or closed tickets become articles."))
    resolution = (
        ticket.messages.filter(kind=MessageKind.PUBLIC_REPLY, from_staff=True)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)
        .first()
    ) or ""

    def paragraphs(text: str) -> str:
        parts = [p.strip() for p in text.split("\n\n") if p.strip()]
        return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in parts)

    body = (
        f"<h2>{escape(_('Problem'))}</h2>{paragraphs(ticket.description or ticket.subject)}"
        f"<h2>{escape(_('Resolution'))}</h2>{paragraphs(resolution)}"
    )
    return article_create(
        agent=agent,
        title=ticket.subject,
        body=body,
        language=language or agent.user.language or settings.LANGUAGE_CODE,
        status=ArticleStatus.DRAFT,
        tags=ticket.tags,
        source_ticket=ticket,
    )


def _would_cycle(category: KbCategory, parent: KbCategory | None) -> bool:
    seen = set()
    while parent is not None and parent.pk not in seen:
        if parent.pk == category.pk:
            return True
        seen.add(parent.pk)
        parent = parent.parent
    return False


def category_create(
    *,
    agent: Agent,
    name: str,
    parent: KbCategory | None = None,
    description: str = "",
    position: int = 0,
    name_translations: dict[str, str] | None = None,
) -> KbCategory:
    _require_editor(agent)
    name = " ".join((name or "").split())[:150]
    if not name:
        raise ArticleInvalid(
            _("Give the category a name."), field_errors={"name": [_("Required.")]}
        )
    names = {k: str(v)[:150] for k, v in (name_translations or {}).items() if k in languages()}
    return KbCategory.objects.create(
        name=name,
        parent=parent,
        description=description,
        position=max(0, position),
        name_translations=names,
    )


def category_update(
    *,
    category: KbCategory,
    agent: Agent,
    name: str | None = None,
    parent: KbCategory | None = _UNSET,
    description: str | None = None,
    position: int | None = None,
) -> KbCategory:
    _require_editor(agent)
    if parent is not _UNSET:
        if parent is not None and _would_cycle(category, parent):
            raise CategoryCycle(_("A category cannot be inside itself."))
        category.parent = parent
    if name is not None:
        name = " ".join(name.split())[:150]
        if not name:
            raise ArticleInvalid(_("Give the category a name."))
        category.name = name
    if description is not None:
        category.description = description
    if position is not None:
        category.position = max(0, position)
    try:
        category.save()
    except IntegrityError as error:  # pragma: no cover - no unique fields today
        raise ArticleInvalid(str(error)) from error
    return category
