"""The gate's addresses: /<lang>/checkin/. A ticket's QR code leads to /checkin/<token>/
(elbeday/urls.py, outside the languages), which sends the volunteer on to `ticket`."""

from django.urls import path

from . import checkin

app_name = "checkin"

urlpatterns = [
    path("", checkin.home, name="home"),
    path("counts.json", checkin.live_counts, name="counts"),
    path("device/", checkin.device, name="device"),
    path("offline/list.json", checkin.offline_list, name="offline_list"),
    path("offline/sync.json", checkin.offline_sync, name="offline_sync"),
    path("sw.js", checkin.service_worker, name="sw"),
    path("<str:token>/", checkin.ticket, name="ticket"),
]
