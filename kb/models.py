"""Knowledge base: nested categories, articles with translations, revisions, votes and
attachments. Everything lives in the tenant's schema."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, TextField, Value
from django.utils.translation import gettext_lazy as _

from ticketing.search_sql import search_vector


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    INTERNAL = "internal", _("Internal (agents only)")


class KbCategory(models.Model):
    """A folder of articles; categories nest without limit."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    name = models.CharField(_("name"), max_length=150)
    #: The name in other languages: {"fa": "...", "pl": "...", "zh-hans": "..."}.
    name_translations = models.JSONField(default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")
        ordering: ClassVar[list[str]] = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return str(self.name_translations.get(language) or self.name)


class Article(models.Model):
    category = models.ForeignKey(
        KbCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: The language the article was written in; shown when a translation is missing.
    language = models.CharField(_("language"), max_length=10)
    source_ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering: ClassVar[list[str]] = ["-updated_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "category"], name="kb_article_status"),
            GinIndex(fields=["tags"], name="kb_article_tags"),
        ]

    def __str__(self) -> str:
        return f"article {self.pk}"


class ArticleTranslation(models.Model):
    """The article in one language. ``body`` is HTML, sanitised on save by the service.
    Addresses are ``<article id>-<slug>``, so slugs need not be unique."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("address"), max_length=120, allow_unicode=True)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField()
    search_vector = models.GeneratedField(
        expression=search_vector(
            ("title", "A"),
            (
                Func(
                    F("body"),
                    Value("<[^>]*>"),
                    Value(" "),
                    Value("g"),
                    function="regexp_replace",
                    output_field=TextField(),
                ),
                "B",
            ),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["language"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_one_per_language"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            GinIndex(fields=["search_vector"], name="kb_translation_search"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """Every saved version of a translation, newest last."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["article", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number"),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.article_id}"


class ArticleVote(models.Model):
    """One "was this helpful?" answer per reader (user, or anonymous session)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=80)
    helpful = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["article", "voter"], name="kb_one_vote_per_reader"),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} on {self.article_id}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="kb/", max_length=400)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(size__gte=0), name="kb_attachment_size"),
        ]

    def __str__(self) -> str:
        return self.filename
