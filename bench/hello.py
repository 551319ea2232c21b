"""The benchmark's yardstick: Django's hello world, served by gunicorn like the site.

One view that answers "Hello, world" in plain text, with no apps, no middleware, no
database and no templates: what a request costs in gunicorn and Django's handler alone.
`bench.run` measures it in the same run as the site's pages, with the same workers and
connections, and gives each page served from the page cache as a fraction of its requests
per second. The site's pages run a dozen middleware (sessions, language, CSRF, security
headers, the content security policy) that this does not, so 1.0 is out of reach; the
budget is 0.6.

    gunicorn bench.hello   # what bench.run starts
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="hello-world-has-no-secrets",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)

import django  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

django.setup()


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
