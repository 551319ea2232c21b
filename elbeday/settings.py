"""Settings for Elbe Day, read from the environment (see `.env.example`).

Development defaults are safe: with `DJANGO_DEBUG` unset the site runs in production mode
and refuses to start without `DJANGO_SECRET_KEY`.
"""

import datetime
import os
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: set DJANGO_SECRET_KEY "
            "for production (see .env.example), or use `make run` for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "elbeday.apps.AdminConfig",  # Django's admin on the project's site
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "simple_history",
    "django.contrib.sitemaps",
    "csp",
    "elbeday",
    "memorials",
    "events",
    "registrations",
    "staff",
]

MIDDLEWARE = [
    # Public pages from the shared cache, first: a page served from it needs no other
    # middleware, and is stored as they answered it, headers and compression included
    # (see elbeday.cache).
    "elbeday.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that every response carries the policy (see CONTENT_SECURITY_POLICY):
    # django-csp's, with the policy built once (elbeday.middleware).
    "elbeday.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (static files come compressed from WhiteNoise). Django adds random
    # padding against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 400 page for a request whose data cannot be read or holds a NUL, before CSRF's
    # check reads it (and Django's 400 or 404 handler again): a server error otherwise.
    "elbeday.middleware.UnreadableRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-simple-history's, for requests with a session (elbeday.middleware).
    "elbeday.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: answers locked-out sign-ins (see AXES_ below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "elbeday.urls"
WSGI_APPLICATION = "elbeday.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "elbeday.context_processors.languages",
                "elbeday.context_processors.content_version",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock (busy timeout) instead of failing, and each
    # transaction takes the write lock up front (IMMEDIATE) so read-then-write cannot
    # deadlock. WAL lets readers go on while one writer works.
    # Tests use a file too (one per test process), so that concurrent writers are tested
    # against the same locking as in production; an in-memory database locks differently.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"elbeday-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that looks at the connection's socket instead of
        # sending SELECT 1 before each request's first query (see elbeday.postgresql).
        DATABASES["default"]["ENGINE"] = "elbeday.postgresql"
        # Parameters sent apart from the SQL (server-side binding), and a statement run
        # five times on a connection prepared there, so that PostgreSQL parses and plans
        # it once per connection rather than once per request: prepared, a registration's
        # statement costs PostgreSQL half the CPU. A connection pooler in front must keep
        # prepared statements (PgBouncer does from 1.21, with max_prepared_statements);
        # DATABASE_PREPARE_THRESHOLD= (empty) turns them off.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
        options.setdefault("prepare_threshold", int(threshold) if threshold else None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by all workers: Redis in production (redis://127.0.0.1:6379/1); by
# default a file cache, which every worker on this machine shares.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache' / 'django'}")
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's, keeping its Redis client instead of making one per command (a page-cache
    # hit spent a quarter of its CPU there; see elbeday.cache_backends).
    CACHES["default"]["BACKEND"] = "elbeday.cache_backends.RedisCache"
# Seconds a public page stays in the page cache (elbeday.cache); 0 turns the page cache
# off, as the benchmark does to measure what rendering costs.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Rate-limit counters must be added and counted atomically and never dropped to make
# room. Redis (and memcached) do both; a file cache does neither, so on one machine the
# counters get a locking file cache of their own (see elbeday.cache_backends).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    CACHES["ratelimit"] = {
        "BACKEND": "elbeday.cache_backends.LockedFileBasedCache",
        "LOCATION": str(BASE_DIR / ".cache" / "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 10_000_000},
    }
else:
    CACHES["ratelimit"] = CACHES["default"]
# The templates' fragments and what views keep until the next content edit: in the shared
# cache, and the last ones each process read in its own memory in front of it (their keys
# name the content version, so they are never out of date; see elbeday.cache_backends).
CACHES["template_fragments"] = {
    "BACKEND": "elbeday.cache_backends.ContentCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"SHARED": "default", "MAX_ENTRIES": 1000},
}

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# Seconds the outbox worker waits for the mail server at each step of a send (connecting,
# each SMTP command); without it a server that never answers stalls the worker for ever.
# EMAIL_URL cannot carry it; Django's SMTP backend reads it from here.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Elbe Day <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: URLs carry the language (/en/, /de/, /ru/); content falls back to English.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# Static files: hashed, compressed names served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
# Documents that must never be public (press letters, photos waiting for review): outside
# MEDIA_ROOT, so neither SERVE_MEDIA nor a web server serving MEDIA_ROOT reaches them;
# staff read them through views that check the permission (elbeday.storage).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Press letters and photos waiting for review (elbeday.storage.private_storage).
    "private": {"BACKEND": "elbeday.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media on S3-compatible object storage (django-storages), so that every app server sees
# the same files: photos and their renditions in a public bucket, press letters in a
# private one. Local folders stay the default.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_PRIVATE_BUCKET_NAME = env.str("AWS_PRIVATE_BUCKET_NAME", default="")
    if not AWS_PRIVATE_BUCKET_NAME or AWS_PRIVATE_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "AWS_PRIVATE_BUCKET_NAME must name a bucket of its own, never made public, when "
            "AWS_STORAGE_BUCKET_NAME is set: press letters must not be stored in the public "
            "media bucket (see .env.example)."
        )
    _s3_endpoint = env.str("AWS_S3_ENDPOINT_URL", default="").rstrip("/")
    _s3_region = env.str("AWS_S3_REGION_NAME", default="") or None
    _s3_connection = {
        "endpoint_url": _s3_endpoint or None,
        "region_name": _s3_region,
        # None leaves boto3 to find credentials itself (an instance role, ~/.aws).
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        # Two app servers saving the same name must not overwrite each other's file.
        "file_overwrite": False,
    }
    # The address photos are served from, written out here rather than asked of boto3 for
    # every photo on a page (which would sign nothing, but still build a request each time).
    _media_host = env.str("AWS_S3_CUSTOM_DOMAIN", default="").rstrip("/")
    if not _media_host:
        if _s3_endpoint:
            _media_host = f"{_s3_endpoint}/{AWS_STORAGE_BUCKET_NAME}"
        elif _s3_region:
            _media_host = f"{AWS_STORAGE_BUCKET_NAME}.s3.{_s3_region}.amazonaws.com"
        else:
            _media_host = f"{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
    _media_protocol, _, _media_domain = _media_host.rpartition("//")
    MEDIA_URL = f"{_media_protocol or 'https:'}//{_media_domain}/"
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_connection,
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Public media: plain addresses, which browsers and the page cache can keep;
            # the bucket itself must allow anonymous reads (a bucket policy).
            "querystring_auth": False,
            "custom_domain": _media_domain,
            "url_protocol": _media_protocol or "https:",
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_connection,
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            # No ACL sent, so each object gets S3's default, private (owner only); a
            # "private" ACL sent explicitly is refused by buckets whose ACLs are disabled
            # (the default on AWS). The files have no URL: staff read them through
            # the app (elbeday.storage).
            "default_acl": None,
        },
    }
    # The files are not on this machine.
    SERVE_MEDIA = False
# Photo uploads: refused beyond these limits (see elbeday.fields).
PHOTO_MAX_UPLOAD_BYTES = env.int("PHOTO_MAX_UPLOAD_BYTES", default=15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=50_000_000)
# A press letter (PDF or image, see registrations.press): refused beyond this size.
PRESS_DOCUMENT_MAX_BYTES = env.int("PRESS_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGIN_URL = "login"
# Sign-ins (the admin's and the gate's) are refused for a while after repeated wrong
# passwords for the same user from the same address (django-axes); not by address alone,
# so that volunteers sharing a mobile network do not lock each other out at the gate.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "elbeday.views.locked_out"
LOGIN_REDIRECT_URL = "checkin:home"
# Personal data of a ceremony's registrants is anonymised this many days after it ends
# (manage.py anonymise_registrations, run daily).
ANONYMISE_AFTER_DAYS = env.int("ANONYMISE_AFTER_DAYS", default=30)

# The site's public address, for links in emails, calendar files and ticket QR codes.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000")
SITE_DOMAIN = SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]

# Registration limits per client address and per email address ("<count>/<period>", with
# period s, m, h or d). A school class or a delegation may register from one network:
# raise the limit, or set it empty to switch it off.
REGISTRATION_RATE_PER_IP = env.str("REGISTRATION_RATE_PER_IP", default="30/h") or None
REGISTRATION_RATE_PER_EMAIL = env.str("REGISTRATION_RATE_PER_EMAIL", default="5/h") or None
# Corrections and photos sent by the public, per client address (empty: no limit).
SUBMISSION_RATE_PER_IP = env.str("SUBMISSION_RATE_PER_IP", default="10/h") or None
# Submitters' email addresses and names are removed this many days after the editors'
# decision (manage.py anonymise_registrations, run daily); pending ones are kept.
SUBMISSION_RETENTION_DAYS = env.int("SUBMISSION_RETENTION_DAYS", default=180)
# Reminders go out this many days before a ceremony (manage.py send_reminders).
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=3)
RATELIMIT_USE_CACHE = "ratelimit"
# The client address for rate limits: behind one trusted proxy, its X-Forwarded-For.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# The same address for the sign-in lockout.
AXES_CLIENT_IP_CALLABLE = "elbeday.views.client_ip"

# Django's (a cookie, then the session), each made only when a request uses messages.
MESSAGE_STORAGE = "elbeday.messages.LazyFallbackStorage"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: strict in production, relaxed only where the development server needs it.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # plain-HTTP probes from the load balancer
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts, styles, images and fonts from the site
# itself only; templates hold no inline code, so no 'unsafe-inline' or 'unsafe-eval'. The
# map page alone adds the tile server (memorials.views.MemorialMapView).
_IMG_SRC = [
    "'self'",
    # Bootstrap's CSS draws select arrows, ticked checkboxes, radio dots, switches, the
    # close button and form validation icons as data: SVG images, and Leaflet blanks a
    # removed map tile with a data: GIF. Images cannot run scripts.
    "data:",
]
if MEDIA_URL.startswith(("https://", "http://")):
    # Uploaded photos served from another host (a CDN or an S3 bucket).
    _IMG_SRC.append("/".join(MEDIA_URL.split("/", 3)[:3]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _IMG_SRC,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default configuration gives the `django` logger a console handler of
        # its own in debug; its records also reach the root's, so each line came twice.
        # Here they reach only the root's (runserver's request lines keep theirs).
        "django": {"handlers": [], "propagate": True},
        # django-axes reports every sign-in at INFO; lockouts come as warnings.
        "axes": {"level": "WARNING"},
    },
}
