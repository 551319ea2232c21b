from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("ceremonies/<slug:slug>/export/", views.export, name="export"),
    path("ceremonies/<slug:slug>/guest-list/", views.guest_list, name="guest_list"),
    path("ceremonies/<slug:slug>/message/", views.message, name="message"),
    path(
        "ceremonies/<slug:slug>/registrations/add/",
        views.registration_add,
        name="registration_add",
    ),
]
