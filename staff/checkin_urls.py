"""The gate's addresses: /<lang>/checkin/, where a ticket's QR code leads."""

from django.urls import path

from . import checkin

app_name = "checkin"

urlpatterns = [
    path("", checkin.home, name="home"),
    path("counts.json", checkin.live_counts, name="counts"),
    path("<str:token>/", checkin.ticket, name="ticket"),
]
