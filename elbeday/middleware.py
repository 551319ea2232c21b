"""Requests the site cannot read get a clear 400 page, never a server error; and the
Content Security Policy's header, as django-csp sets it, built once."""

import codecs
import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.log import log_response
from simple_history import middleware as history_middleware

# What form data is written in: names, values, "=", "&", "%" escapes and line breaks.
_ASCII_SAMPLE = "".join(map(chr, range(0x20, 0x7F))) + "\t\r\n"


def _is_ascii_compatible(codec_name):
    """Whether the codec reads and writes ASCII as ASCII, as form data needs.

    Not so: UTF-16 and UTF-32 (two or four bytes a letter), UTF-7 ("+" starts an
    escape), EBCDIC code pages, and codecs that are not text encodings at all (base64,
    rot13, zlib) or refuse everything ("undefined")."""
    try:
        return (
            _ASCII_SAMPLE.encode(codec_name) == _ASCII_SAMPLE.encode("ascii")
            and _ASCII_SAMPLE.encode("ascii").decode(codec_name) == _ASCII_SAMPLE
        )
    except (LookupError, UnicodeError):
        return False


class ReadableWSGIRequest(WSGIRequest):
    """A request that can always be built. Django decodes the query string with the
    charset a request declares, and parses its Content-Type, while it builds the request,
    before any middleware runs: a charset that is no text encoding ("base64"), one that
    refuses everything ("undefined") or an RFC 2231 parameter in an unknown one made that
    a server error. Such a request is built without what cannot be read, and marked, so
    that UnreadableRequestMiddleware answers it with a 400 (see elbeday.wsgi)."""

    unreadable = False

    def __init__(self, environ):
        try:
            super().__init__(environ)
        except (ValueError, LookupError, UnicodeError):
            super().__init__({**environ, "CONTENT_TYPE": "", "QUERY_STRING": ""})
            self.unreadable = True


class UnreadableRequestMiddleware:
    """Answers 400, with the site's page, to a request whose data cannot be read, before
    anything else reads it.

    Django's own answer to such a request is not always a 400. The CSRF check reads a
    POST's form for its token; when the form cannot be read (a charset such as utf-7 for
    an urlencoded form, a multipart body without a boundary, too many fields, too big)
    Django answers 400 through its 400 handler, which runs the CSRF check again and may
    fail again reading the same form. And where no view matches the address, the first
    to read the form is the CSRF check inside the 404 handler, so every such error is an
    error of the handler: a server error. So this middleware, before the CSRF one:

    - refuses a charset the data cannot be read in: Django decodes the query string and
      the form with the declared one (not ASCII-compatible, or no text encoding at all),
      and a urlencoded form must be UTF-8 (RFC 1866). Names of UTF-8 that Django would
      refuse for a form ("utf8", "UTF_8") are read as the UTF-8 they are, and a charset
      Python does not know is ignored by Django, which reads UTF-8: both are let through;
    - reads the query string and a POST's form, so that whatever Django finds wrong with
      them is answered here;
    - refuses a NUL character in them, as Django's forms do: PostgreSQL can neither store
      nor compare one, and the admin's list filters and autocomplete hand such values to
      it unchecked (a server error there on PostgreSQL).

    Reading the form here costs nothing: the CSRF check reads it for every POST anyway.
    (So, as with the CSRF check, a view can no longer change `request.upload_handlers` or
    read a multipart body raw; none here does.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "unreadable", False):
            return self.bad_request(request, "a request Django could not build")
        if problem := self.charset_problem(request):
            return self.bad_request(request, problem)
        try:
            fields = [*request.GET.lists(), *request.POST.lists()]
        except (
            BadRequest,
            MultiPartParserError,
            SuspiciousOperation,
            UnreadablePostError,
        ) as error:
            return self.bad_request(request, str(error), exception=error)
        if any(
            "\x00" in name or any("\x00" in value for value in values) for name, values in fields
        ):
            return self.bad_request(request, "NUL character")
        return self.get_response(request)

    @staticmethod
    def charset_problem(request):
        charset = (request.content_params or {}).get("charset")
        if charset is None:
            return None
        try:
            codec_name = codecs.lookup(charset).name
        except (LookupError, ValueError):
            return None
        if codec_name == "utf-8":
            request.encoding = "utf-8"
            return None
        if not _is_ascii_compatible(codec_name) or (
            request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
        ):
            return f"unreadable charset {charset!r}"
        return None

    def bad_request(self, request, reason, exception=None):
        # Rendered here rather than by Django's 400 handler, whose CSRF check would read
        # the form again.
        response = render(request, "400.html", status=400)
        log_response(
            "Bad request (%s): %s",
            reason,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the policies of the settings built once per process.

    django-csp builds the header from the settings again for every response, and the
    report-only one too: a thirtieth of the CPU of a registration POST or of a page
    rendered. Here a response gets the headers built once, unless its view changed the
    policy (django-csp's decorators: `csp_update` for the map's tiles), the request used a
    nonce, the settings leave addresses out of the policy, or a debug error page is
    answered: then django-csp builds them as before."""

    def process_response(self, request, response):
        headers = _headers_from_settings()
        if (
            headers is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(name.startswith("_csp_") for name in vars(response))
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        for header, policy in headers.items():
            if header not in response:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _headers_from_settings():
    """{header: policy} as django-csp builds them from the settings for a response that
    changes nothing, without the empty ones; None when the settings leave addresses out
    (EXCLUDE_URL_PREFIXES), which depends on each request."""
    headers = {}
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        if (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES"):
            return None
        if policy := build_policy(report_only=report_only):
            headers[header] = policy
    return headers


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _headers_from_settings.cache_clear()


class HistoryRequestMiddleware:
    """django-simple-history's middleware (which lets a history row name the signed-in
    user who made the change), for the requests that can have one: those with a session
    cookie. A visitor without one is nobody to name, and their rows are written without a
    user, as before; their request costs neither the context variable set and cleared
    nor, for every change written, the session and user it would look up (about a
    seventieth of a registration POST's instructions)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.with_history = history_middleware.HistoryRequestMiddleware(get_response)

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        return self.with_history(request)
