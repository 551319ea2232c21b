from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path, register_converter
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from events.sitemaps import CeremonySitemap
from memorials.sitemaps import MemorialSitemap, SeriesSitemap, TrailSitemap
from staff import checkin

from .cache import cached_public_page
from .converters import YearConverter
from .sitemaps import StaticSitemap, with_request
from .views import HomeView, PageView, clearing_site_data, health, robots_txt

# Before the apps' URLs are included, which use it.
register_converter(YearConverter, "year")

SITEMAPS = {
    "pages": StaticSitemap,
    "memorials": MemorialSitemap,
    "trails": TrailSitemap,
    "series": SeriesSitemap,
    "ceremonies": CeremonySitemap,
}

urlpatterns = [
    path(
        "sitemap.xml",
        cached_public_page(with_request(sitemaps.index)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_public_page(with_request(sitemaps.sitemap)),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("health/", health, name="health"),
    # A ticket's QR code: on to the gate page in the language of whoever scans it.
    path("checkin/<str:token>/", checkin.scanned, name="checkin_scanned"),
]

urlpatterns += i18n_patterns(
    path("", cached_public_page(HomeView.as_view()), name="home"),
    path("memorials/", include("memorials.urls")),
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    path("checkin/", include("staff.checkin_urls")),
    path("staff/", include("staff.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", clearing_site_data(auth_views.LogoutView.as_view()), name="logout"),
    path("pages/<slug:slug>/", cached_public_page(PageView.as_view()), name="page"),
    # Interface strings for the gate's script, in the page's language.
    # Only the project's own strings (locale/), not those of the admin's scripts.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["staff"]), name="javascript-catalog"),
    # Before the admin's own, which it replaces with the same view.
    path("admin/logout/", clearing_site_data(admin.site.logout)),
    path("admin/", admin.site.urls),
)

if settings.SERVE_MEDIA:
    # Uploaded photos are re-encoded images (see elbeday.fields), safe to serve as files.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
