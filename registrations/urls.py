from django.urls import path

from . import views

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
    path("registrations/<str:token>/calendar.ics", views.registration_ics, name="calendar"),
    path("registrations/<str:token>/data.json", views.registration_data, name="data"),
]
