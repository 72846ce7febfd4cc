"""/console/kb/: the knowledge base and ticket search for agents."""

from django.urls import path

from frontend.kb import console_views as views

app_name = "kb_console"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("new/", views.ArticleCreateView.as_view(), name="new"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_new"),
    path("<int:pk>/", views.ArticleEditView.as_view(), name="edit"),
    path("from-ticket/<int:ticket_id>/", views.ArticleFromTicketView.as_view(), name="from_ticket"),
    path("related/<int:ticket_id>/", views.TicketRelatedView.as_view(), name="related"),
    path("search/tickets/", views.TicketSearchView.as_view(), name="ticket_search"),
]
