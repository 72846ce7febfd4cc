"""Reads of the knowledge base. Who reads decides what exists: customers (the portal,
anonymous visitors) see published articles only; agents also see internal articles and
drafts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.db.models import F, FloatField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL

from kb.models import Article, ArticleRevision, ArticleStatus, ArticleTranslation, KbCategory
from ticketing.models import Ticket
from ticketing.search import clean_query


class Audience(Enum):
    CUSTOMER = "customer"
    AGENT = "agent"


def _statuses(audience: Audience) -> tuple[str, ...]:
    if audience is Audience.CUSTOMER:
        return (ArticleStatus.PUBLISHED,)
    return (ArticleStatus.PUBLISHED, ArticleStatus.INTERNAL, ArticleStatus.DRAFT)


def articles_visible(*, audience: Audience) -> QuerySet[Article]:
    return (
        Article.objects.filter(status__in=_statuses(audience))
        .select_related("category")
        .prefetch_related(Prefetch("translations", queryset=ArticleTranslation.objects.all()))
    )


def article_list(
    *,
    audience: Audience,
    category_id: int | None = None,
    status: str | None = None,
    tag: str | None = None,
) -> QuerySet[Article]:
    articles = articles_visible(audience=audience)
    if category_id is not None:
        articles = articles.filter(category_id=category_id)
    if status:
        articles = articles.filter(status=status)
    if tag:
        articles = articles.filter(tags__contains=[tag.casefold()])
    return articles.order_by("-updated_at", "-id")


def article_get(*, audience: Audience, pk: int) -> Article | None:
    return articles_visible(audience=audience).filter(pk=pk).first()


@dataclass(frozen=True)
class ArticleView:
    """An article as shown in one language (its own when that translation is missing)."""

    article: Article
    translation: ArticleTranslation

    @property
    def url_slug(self) -> str:
        return f"{self.article.pk}-{self.translation.slug}"


def translation_for(article: Article, language: str) -> ArticleTranslation | None:
    translations = list(article.translations.all())
    for wanted in (language, article.language):
        for translation in translations:
            if translation.language == wanted:
                return translation
    return translations[0] if translations else None


def article_view(*, audience: Audience, pk: int, language: str) -> ArticleView | None:
    article = article_get(audience=audience, pk=pk)
    if article is None:
        return None
    translation = translation_for(article, language)
    return ArticleView(article, translation) if translation is not None else None


def article_revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.order_by("-number")


def categories(*, audience: Audience) -> QuerySet[KbCategory]:
    """Every category, ordered for a tree (``parent_id`` links them)."""
    del audience  # categories are not secret; their articles are filtered
    return KbCategory.objects.order_by("position", "name")


def category_tree(*, audience: Audience) -> list[tuple[KbCategory, int]]:
    """(category, depth) in display order, any depth, one query."""
    rows = list(categories(audience=audience))
    children: dict[int | None, list[KbCategory]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[tuple[KbCategory, int]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        out.append((row, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(row.pk, [])))
    return out


def category_path(*, category: KbCategory) -> list[KbCategory]:
    """The breadcrumb from the top down to ``category``."""
    path, seen = [], set()
    node: KbCategory | None = category
    while node is not None and node.pk not in seen:
        path.append(node)
        seen.add(node.pk)
        node = node.parent
    return list(reversed(path))


def article_search(
    *, audience: Audience, text: str, language: str | None = None, limit: int = 20
) -> list[ArticleView]:
    """Articles matching ``text`` in any language, best first; one result per article,
    in ``language`` when that translation matches."""
    text = clean_query(text)
    if not text:
        return []
    table = ArticleTranslation._meta.db_table
    translations = (
        ArticleTranslation.objects.filter(article__status__in=_statuses(audience))
        .annotate(
            relevance=RawSQL(  # noqa: S611 — the text is a parameter
                f"ts_rank({table}.search_vector, caseway_tsquery(%s, true))",
                (text,),
                output_field=FloatField(),
            )
        )
        .filter(
            pk__in=RawSQL(  # noqa: S611 — the text is a parameter
                f"SELECT id FROM {table} WHERE search_vector @@ caseway_tsquery(%s, true)",
                (text,),
            )
        )
        .select_related("article", "article__category")
        .order_by(F("relevance").desc(), "-updated_at")[: limit * 4]
    )
    seen: dict[int, ArticleView] = {}
    for translation in translations:
        current = seen.get(translation.article_id)
        if current is None or (
            translation.language == language and current.translation.language != language
        ):
            seen[translation.article_id] = ArticleView(translation.article, translation)
    return list(seen.values())[:limit]


def article_suggestions(*, text: str, language: str | None, limit: int = 5) -> list[ArticleView]:
    """What a customer typing a ticket subject might read first."""
    return article_search(audience=Audience.CUSTOMER, text=text, language=language, limit=limit)


def articles_related_to_ticket(
    *, ticket: Ticket, language: str, limit: int = 5
) -> list[ArticleView]:
    """Articles sharing words with the ticket's subject, then its description (any
    word), for the console."""
    words: list[str] = []
    for text in (ticket.subject, (ticket.description or "")[:500]):
        for word in clean_query(text).split():
            if len(word) > 1 and word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
    words = words[:8]
    if not words:
        return []
    table = ArticleTranslation._meta.db_table
    query = " || ".join("caseway_tsquery(%s, true)" for _ in words)
    translations = (
        ArticleTranslation.objects.filter(article__status__in=_statuses(Audience.AGENT))
        .exclude(article__status=ArticleStatus.DRAFT)
        .filter(
            pk__in=RawSQL(  # noqa: S611 — words are parameters
                f"SELECT id FROM {table} WHERE search_vector @@ ({query})", words
            )
        )
        .annotate(
            relevance=RawSQL(  # noqa: S611 — words are parameters
                f"ts_rank({table}.search_vector, {query})", words, output_field=FloatField()
            )
        )
        .select_related("article")
        .order_by(F("relevance").desc(), "-updated_at")[: limit * 4]
    )
    seen: dict[int, ArticleView] = {}
    for translation in translations:
        if translation.article_id not in seen or translation.language == language:
            seen.setdefault(translation.article_id, ArticleView(translation.article, translation))
    return list(seen.values())[:limit]
