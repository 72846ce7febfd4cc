from django.contrib import admin

from kb.models import Article, ArticleTranslation, KbCategory


@admin.register(KbCategory)
class KbCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "position")


class TranslationInline(admin.TabularInline):
    model = ArticleTranslation
    extra = 0
    readonly_fields = ("title", "language", "slug", "body", "updated_at")
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-mostly: bodies are sanitised by the services, so edits go through the console."""

    list_display = ("pk", "status", "category", "language", "updated_at")
    list_filter = ("status", "category")
    readonly_fields = ("helpful_count", "not_helpful_count", "author", "source_ticket")
    inlines = (TranslationInline,)
