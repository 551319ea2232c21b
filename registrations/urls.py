from django.urls import path

from . import delegation_views, press_views, views

app_name = "registrations"

urlpatterns = [
    path("ceremonies/<slug:slug>/register/", views.register, name="register"),
    # Before the booking's own addresses, whose token would match "lost-link".
    path("registrations/lost-link/", views.lost_link, name="lost_link"),
    path("registrations/<str:token>/", views.manage, name="manage"),
    path("registrations/<str:token>/party/", views.change_party, name="change_party"),
    path("registrations/<str:token>/cancel/", views.cancel, name="cancel"),
    path("registrations/<str:token>/erase/", views.erase, name="erase"),
    # Tickets emailed before tickets had a link of their own.
    path("registrations/<str:token>/ticket/", views.ticket_moved, name="ticket_moved"),
    path("tickets/<str:token>/", views.ticket, name="ticket"),
    path(
        "ceremonies/<slug:slug>/delegation/",
        delegation_views.request_open,
        name="delegation_request",
    ),
    path(
        "delegations/invitation/<str:token>/",
        delegation_views.request_by_invitation,
        name="delegation_invitation",
    ),
    path("delegations/<str:token>/", delegation_views.manage, name="delegation_manage"),
    path(
        "delegations/<str:token>/withdraw/",
        delegation_views.withdraw,
        name="delegation_withdraw",
    ),
    path("registrations/<str:token>/calendar.ics", views.registration_ics, name="calendar"),
    path("registrations/<str:token>/data.json", views.registration_data, name="data"),
    path("ceremonies/<slug:slug>/press/", press_views.apply, name="press_apply"),
    path("press/<str:token>/", press_views.manage, name="press_manage"),
    path("press/<str:token>/withdraw/", press_views.withdraw, name="press_withdraw"),
]
