from django.urls import path

from frontend.portal import account, resolution, views, welcome

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", views.TicketNewView.as_view(), name="ticket_new"),
    path("tickets/lookup/", views.TicketLookupView.as_view(), name="ticket_lookup"),
    path("tickets/<int:number>/", views.CustomerTicketView.as_view(), name="ticket"),
    path(
        "tickets/<int:number>/files/<str:attachment_id>/",
        views.CustomerTicketView.as_view(),
        name="ticket_file",
    ),
    path(
        "tickets/<int:number>/<slug:action>/",
        views.CustomerTicketView.as_view(),
        name="ticket_action",
    ),
    path("t/<str:token>/", views.GuestTicketView.as_view(), name="guest_ticket"),
    path(
        "t/<str:token>/files/<str:attachment_id>/",
        views.GuestTicketView.as_view(),
        name="guest_file",
    ),
    path("t/<str:token>/<slug:action>/", views.GuestTicketView.as_view(), name="guest_action"),
    path("account/", account.ProfileView.as_view(), name="profile"),
    path("solved/<str:token>/", resolution.ConfirmSolvedView.as_view(), name="resolution_confirm"),
    path("reopen/<str:token>/", resolution.ReopenView.as_view(), name="resolution_reopen"),
    path("welcome/<str:token>/", welcome.WelcomeView.as_view(), name="welcome"),
]
