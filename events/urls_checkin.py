from django.urls import path

from . import views

app_name = "checkin"

urlpatterns = [
    path("<str:token>/", views.checkin_ticket, name="ticket"),
]
