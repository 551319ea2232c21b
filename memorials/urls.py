from django.urls import path

from elbeday.cache import cached_public_page

from . import views

app_name = "memorials"

urlpatterns = [
    path("", cached_public_page(views.MemorialListView.as_view()), name="list"),
    path("map/", cached_public_page(views.MemorialMapView.as_view()), name="map"),
    path("<slug:slug>/", cached_public_page(views.MemorialDetailView.as_view()), name="detail"),
]
