import functools

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info

from . import cache


# Pure (the path and the URLconf decide), and asked for every language of every page
# rendered: kept for the addresses asked for most recently.
@functools.lru_cache(maxsize=4096)
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
    """Links to the current page in every language: paths for the language switcher, and
    absolute URLs at the configured address (SITE_URL) for the `hreflang` alternates, which
    search engines require to be absolute, ending with `x-default` for readers of any other
    language."""
    path = request.get_full_path()
    site_url = settings.SITE_URL.rstrip("/")
    links = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": _same_site(path, code),
        }
        for code, _name in settings.LANGUAGES
    ]
    alternates = [{"hreflang": link["code"], "url": site_url + link["url"]} for link in links]
    # As in the sitemap: the address without a language, which sends each reader on to
    # the page in the language their browser asks for.
    default = next(link["url"] for link in links if link["code"] == settings.LANGUAGE_CODE)
    neutral = default.replace(f"/{settings.LANGUAGE_CODE}/", "/", 1)
    alternates.append({"hreflang": "x-default", "url": site_url + neutral})
    return {"language_links": links, "alternate_links": alternates}


def content_version(request):
    """`content_version` for the fragments that templates cache: `{% cache %}` with it
    among the names the fragment varies on is current until the next content edit or
    release (see elbeday.cache). Read from the cache only by a template that uses it."""
    return {"content_version": SimpleLazyObject(lambda: cache.fragment_version(request))}
