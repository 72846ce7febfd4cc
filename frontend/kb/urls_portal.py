"""/help/: the customer knowledge base (mounted by controlplane/urls_tenant.py)."""

from django.urls import path

from frontend.kb import portal_views as views

app_name = "kb_portal"

urlpatterns = [
    path("", views.HelpHomeRedirect.as_view(), name="root"),
    path("suggest", views.HelpSuggestView.as_view(), name="suggest"),
    path("<str:language>/", views.HelpHomeView.as_view(), name="home"),
    path("<str:language>/search/", views.HelpSearchView.as_view(), name="search"),
    path(
        "<str:language>/categories/<int:pk>-<str:slug>/",
        views.HelpCategoryView.as_view(),
        name="category",
    ),
    path("<str:language>/categories/<int:pk>/", views.HelpCategoryView.as_view()),
    path(
        "<str:language>/articles/<int:pk>-<str:slug>/",
        views.HelpArticleView.as_view(),
        name="article",
    ),
    path("<str:language>/articles/<int:pk>/", views.HelpArticleView.as_view()),
    path("<str:language>/articles/<int:pk>/vote/", views.HelpVoteView.as_view(), name="vote"),
    path(
        "<str:language>/articles/<int:pk>/files/<int:file_id>/",
        views.HelpAttachmentView.as_view(),
        name="file",
    ),
]
