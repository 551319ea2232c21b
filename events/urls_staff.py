from django.urls import path

from . import staff

app_name = "staff"

urlpatterns = [
    path("", staff.dashboard_view, name="dashboard"),
    path("ceremonies/<slug:slug>/export/", staff.export, name="export"),
    path("ceremonies/<slug:slug>/guest-list/", staff.guest_list, name="guest_list"),
    path("ceremonies/<slug:slug>/message/", staff.message, name="message"),
]
