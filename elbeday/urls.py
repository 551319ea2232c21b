from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from .views import HomeView

urlpatterns = i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("memorials/", include("memorials.urls")),
    path("admin/", admin.site.urls),
)

if settings.SERVE_MEDIA:
    # Uploaded photos are re-encoded images (see memorials.fields), safe to serve as files.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
