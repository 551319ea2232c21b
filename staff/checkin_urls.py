"""The gate's addresses: /<lang>/checkin/. A ticket's QR code leads to /checkin/<token>/
(elbeday/urls.py, outside the languages), which sends the volunteer on to `ticket`."""

from django.urls import path

from . import checkin

app_name = "checkin"

urlpatterns = [
    path("", checkin.home, name="home"),
    path("counts.json", checkin.live_counts, name="counts"),
    path("<str:token>/", checkin.ticket, name="ticket"),
]
