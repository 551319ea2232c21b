from django.urls import path

from . import views

app_name = "memorials"

urlpatterns = [
    path("", views.MemorialListView.as_view(), name="list"),
    path("map/", views.MemorialMapView.as_view(), name="map"),
    path("<slug:slug>/", views.MemorialDetailView.as_view(), name="detail"),
]
