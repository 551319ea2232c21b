from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info


def _same_site(path, code):
    """The page at `path` in language `code`, as a path on this site. A request path can
    begin with "//" or "/\\" ("//evil.example/"), which a browser would read as another
    site: such a path is made a plain one, and anything that still is not a path of this
    site becomes the home page."""
    url = translate_url("/" + path.lstrip("/\\"), code)
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    with translation.override(code):
        return reverse("home")


def languages(request):
    """Links to the current page in every language, for the language switcher."""
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": _same_site(path, code),
            }
            for code, _name in settings.LANGUAGES
        ]
    }
