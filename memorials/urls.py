from django.urls import path

from elbeday.cache import cached_public_page

from . import search, submissions, views

app_name = "memorials"

urlpatterns = [
    path("", cached_public_page(views.MemorialListView.as_view()), name="list"),
    path("map/", cached_public_page(views.MemorialMapView.as_view()), name="map"),
    # Not page-cached: the answers depend on the query (see memorials/search.py).
    path("near/", search.near, name="near"),
    path("search/", search.search, name="search"),
    # Open data: the files depend on the content alone, so the page cache serves them too.
    path("catalogue.geojson", cached_public_page(views.catalogue_geojson), name="geojson"),
    path("catalogue.gpx", cached_public_page(views.catalogue_gpx), name="gpx"),
    path("series/<slug:slug>/", cached_public_page(views.SeriesView.as_view()), name="series"),
    path("trails/", cached_public_page(views.TrailListView.as_view()), name="trails"),
    path("trails/<slug:slug>/", cached_public_page(views.TrailDetailView.as_view()), name="trail"),
    path(
        "trails/<slug:slug>.geojson",
        cached_public_page(views.trail_geojson),
        name="trail_geojson",
    ),
    path("trails/<slug:slug>.gpx", cached_public_page(views.trail_gpx), name="trail_gpx"),
    path("<slug:slug>.geojson", cached_public_page(views.site_geojson), name="site_geojson"),
    path("<slug:slug>.gpx", cached_public_page(views.site_gpx), name="site_gpx"),
    path("<slug:slug>/", cached_public_page(views.MemorialDetailView.as_view()), name="detail"),
    # Corrections and photos from the public: forms, never cached (memorials.submissions).
    path("<slug:slug>/correct/", submissions.correction, name="submission_correction"),
    path("<slug:slug>/photo/", submissions.photo, name="submission_photo"),
    path("<slug:slug>/thanks/", submissions.thanks, name="submission_thanks"),
]
