from django.urls import path

from frontend.console import customers, inbox, saved_views, ticket, tickets, views

app_name = "console"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("tickets/", tickets.TicketListView.as_view(), name="tickets"),
    path("views/", saved_views.SavedViewListView.as_view(), name="saved_views"),
    path("views/<int:pk>/", saved_views.SavedViewEditView.as_view(), name="saved_view"),
    path("tickets/bulk/", tickets.BulkActionView.as_view(), name="bulk"),
    path("tickets/internal/new/", customers.InternalTicketView.as_view(), name="internal_new"),
    path("tickets/<int:number>/", ticket.TicketPageView.as_view(), name="ticket"),
    path(
        "tickets/<int:number>/<slug:action>/",
        ticket.TicketActionView.as_view(),
        name="ticket_action",
    ),
    path("customers/", customers.CustomerLookupView.as_view(), name="customers"),
    path("customers/new/", customers.CustomerEditView.as_view(), name="customer_new"),
    path("customers/<int:pk>/", customers.CustomerView.as_view(), name="customer"),
    path("customers/<int:pk>/edit/", customers.CustomerEditView.as_view(), name="customer_edit"),
    path(
        "customers/<int:pk>/new-ticket/",
        customers.TicketOnBehalfView.as_view(),
        name="ticket_on_behalf",
    ),
    path("notifications/", inbox.InboxView.as_view(), name="inbox"),
    path("notifications/badge/", inbox.UnreadBadgeView.as_view(), name="unread_badge"),
]
