"""Knowledge-base endpoints of API v1: categories and articles. Reading needs the read
scope (published articles by default; an agent's key may ask for internal articles and
drafts with ``status``); creating and changing needs the write scope."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import TenantApiViewSet, idempotent
from api.v1.serializers import IdField
from kb import selectors, services
from kb.models import Article, ArticleStatus, ArticleTranslation, KbCategory
from kb.selectors import Audience
from ticketing.models import Agent

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class KbCategoryOut(serializers.ModelSerializer):
    class Meta:
        model = KbCategory
        fields = ("id", "parent", "name", "name_translations", "description", "position")


class KbCategoryIn(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    parent = IdField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    position = serializers.IntegerField(required=False, min_value=0, max_value=100_000)
    name_translations = serializers.DictField(
        child=serializers.CharField(max_length=150), required=False
    )


class ArticleTranslationOut(serializers.ModelSerializer):
    slug = serializers.CharField(help_text="Words of the title in the article's address")

    class Meta:
        model = ArticleTranslation
        fields = ("language", "title", "slug", "body", "updated_at")


class ArticleOut(serializers.ModelSerializer):
    translations = ArticleTranslationOut(many=True, read_only=True)

    class Meta:
        model = Article
        fields = (
            "id",
            "status",
            "category",
            "tags",
            "language",
            "helpful_count",
            "not_helpful_count",
            "created_at",
            "updated_at",
            "published_at",
            "translations",
        )


class ArticleIn(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    body = serializers.CharField(
        allow_blank=True, max_length=services.MAX_BODY, trim_whitespace=False
    )
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    category = IdField(required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=50
    )


class ArticleFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, allow_blank=True)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    category = IdField(required=False)
    tag = serializers.CharField(required=False, max_length=50)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)


class KbCategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantApiViewSet):
    serializer_class = KbCategoryOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[KbCategory]:
        return selectors.categories(audience=Audience.AGENT).order_by("id")

    def _parent(self, pk: int | None) -> KbCategory | None:
        return None if pk is None else get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(request=KbCategoryIn, responses={201: KbCategoryOut})
    @idempotent
    def create(self, request: Request) -> Response:
        data = KbCategoryIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category = services.category_create(
            agent=self.agent,
            name=fields["name"],
            parent=self._parent(fields.get("parent")),
            description=fields.get("description", ""),
            position=fields.get("position", 0),
            name_translations=fields.get("name_translations"),
        )
        return Response(KbCategoryOut(category).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KbCategoryIn, responses=KbCategoryOut)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        category = get_object_or_404(self.get_queryset(), pk=pk)
        data = KbCategoryIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        changes: dict[str, Any] = {
            key: fields[key] for key in ("name", "description", "position") if key in fields
        }
        if "parent" in fields:
            changes["parent"] = self._parent(fields["parent"])
        category = services.category_update(category=category, agent=self.agent, **changes)
        return Response(KbCategoryOut(category).data)


class ArticleViewSet(mixins.RetrieveModelMixin, TenantApiViewSet):
    serializer_class = ArticleOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Article]:
        return selectors.articles_visible(audience=Audience.AGENT)

    def _category(self, pk: int | None) -> KbCategory | None:
        return None if pk is None else get_object_or_404(KbCategory.objects.all(), pk=pk)

    def _out(self, article: Article, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=article.pk)
        return Response(ArticleOut(fresh).data, status=code)

    @extend_schema(
        parameters=[ArticleFilterIn],
        responses=ArticleOut(many=True),
        description="Published articles unless `status` says otherwise. With `q`, the best "
        "matches first (full-text, any language) on one page.",
    )
    def list(self, request: Request) -> Response:
        query = ArticleFilterIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        wanted = filters.get("status", ArticleStatus.PUBLISHED)
        if filters.get("q", "").strip():
            size = self.paginator.get_page_size(request) if self.paginator else 50
            found = [
                view.article
                for view in selectors.article_search(
                    audience=Audience.AGENT,
                    text=filters["q"],
                    language=filters.get("language"),
                    limit=(size or 50) * 3,
                )
                if view.article.status == wanted
                and (filters.get("category") in (None, view.article.category_id))
                and (not filters.get("tag") or filters["tag"].casefold() in view.article.tags)
            ][: size or 50]
            by_id = {a.pk: a for a in self.get_queryset().filter(pk__in=[a.pk for a in found])}
            ordered = [by_id[a.pk] for a in found if a.pk in by_id]
            data = ArticleOut(ordered, many=True).data
            return Response({"next": None, "previous": None, "results": data})
        articles = selectors.article_list(
            audience=Audience.AGENT,
            category_id=filters.get("category"),
            status=wanted,
            tag=filters.get("tag"),
        )
        page = self.paginate_queryset(articles)
        return self.get_paginated_response(ArticleOut(page, many=True).data)

    @extend_schema(request=ArticleIn, responses={201: ArticleOut})
    @idempotent
    def create(self, request: Request) -> Response:
        data = ArticleIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        article = services.article_create(
            agent=self.agent,
            title=fields["title"],
            body=fields["body"],
            language=fields.get("language") or settings.LANGUAGE_CODE,
            category=self._category(fields.get("category")),
            status=fields.get("status", ArticleStatus.DRAFT),
            tags=fields.get("tags", ()),
        )
        return self._out(article, status.HTTP_201_CREATED)

    @extend_schema(
        request=ArticleIn,
        responses=ArticleOut,
        description="Changes the article; `title`/`body` change (or add) the translation "
        "in `language` and record a revision.",
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        article = get_object_or_404(self.get_queryset(), pk=pk)
        data = ArticleIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        changes: dict[str, Any] = {}
        if "category" in fields:
            changes["category"] = self._category(fields["category"])
        article = services.article_update(
            article=article,
            agent=self.agent,
            language=fields.get("language"),
            title=fields.get("title"),
            body=fields.get("body"),
            status=fields.get("status"),
            tags=fields.get("tags"),
            **changes,
        )
        return self._out(article)
