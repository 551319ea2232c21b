from django.urls import path

from elbeday.cache import cached_public_page

from . import views

app_name = "events"

urlpatterns = [
    path("ceremonies/", cached_public_page(views.CeremonyListView.as_view()), name="list"),
    path("ceremonies/calendar.ics", cached_public_page(views.calendar_feed), name="calendar"),
    path("ceremonies/feed/", cached_public_page(views.CeremonyFeed()), name="feed"),
    path(
        "ceremonies/archive/<year:year>/",
        cached_public_page(views.CeremonyYearView.as_view()),
        name="year",
    ),
    path(
        "ceremonies/<slug:slug>/",
        cached_public_page(views.CeremonyDetailView.as_view()),
        name="detail",
    ),
    path(
        "ceremonies/<slug:slug>/calendar.ics",
        cached_public_page(views.ceremony_ics),
        name="ceremony_ics",
    ),
]
