"""Settings for the APIG error-code knowledge base.

One module for every environment: the defaults serve a laptop (SQLite, DEBUG on);
production sets SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and optionally DATABASE_URL.
With DEBUG=0 the site assumes a TLS-terminating proxy in front of it that sets
X-Forwarded-Proto; `manage.py check --deploy` then has nothing to warn about.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envfloat(name: str, default: str) -> float:
    return float(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "kb",
    "kb.insight",
]

MIDDLEWARE = [
    # The first three set the security headers; they sit above everything that may
    # answer early (probes, static files), so that every response carries them.
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the site's policy built once per process.
    "kb.content_policy.ContentPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Load balancers' probes, answered before the Host check and the database.
    "kb.health.ProbeMiddleware",
    "kb.outage.DatabaseUnavailableMiddleware",
    # Counts code pages and searches as they are served, from the page cache too (kb.insight).
    "kb.insight.middleware.InsightMiddleware",
    # Public pages seen before, answered without sessions, language or URL resolution.
    "kb.pagecache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made a change for history made outside the admin's own save.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.language_links",
            ],
        },
    },
]

DATA_DIR = Path(os.getenv("DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Where an upload over 2.5 MB would be spilled (the system's temporary folder by default).
# The log triage keeps its uploads in memory and never spills (kb/triage_upload.py).
FILE_UPLOAD_TEMP_DIR = os.getenv("FILE_UPLOAD_TEMP_DIR") or None
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kb.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several gunicorn workers share the file: readers never wait for a writer (WAL),
    # and a writer takes its lock when its transaction begins and waits for it,
    # instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_TIMEOUT", "20"),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kb" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "kb.staticfiles.StaticFilesStorage"
        )
    },
}

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Where the shipped catalog lives; `import_catalog` reads it when no file is named.
CATALOG_FIXTURE = BASE_DIR / "fixtures" / "catalog.json"
KB_PAGE_SIZE = envint("KB_PAGE_SIZE", "25")

# "Did this fix it?": at most FEEDBACK_RATE_LIMIT answers per client in FEEDBACK_RATE_WINDOW
# seconds, counted in the database so that every gunicorn host sees the same count.
FEEDBACK_RATE_LIMIT = envint("FEEDBACK_RATE_LIMIT", "10")
FEEDBACK_RATE_WINDOW = envint("FEEDBACK_RATE_WINDOW", "600")

# The unknown-error queue (kb/unknown_errors.py): one client adds to at most UNANSWERED_RATE_LIMIT
# groups per UNANSWERED_RATE_WINDOW seconds and raises a group's count at most once per
# window; past UNANSWERED_MAX_ENTRIES groups, the oldest resolved ones are dropped first.
UNANSWERED_RATE_LIMIT = envint("UNANSWERED_RATE_LIMIT", "20")
UNANSWERED_RATE_WINDOW = envint("UNANSWERED_RATE_WINDOW", "600")
UNANSWERED_MAX_ENTRIES = envint("UNANSWERED_MAX_ENTRIES", "5000")

SITE_NAME = _("APIG error-code knowledge base")
# The public address (https://kb.example.com) in the canonical and hreflang links that
# search engines keep; without it, the scheme and host each request came with.
SITE_URL = os.getenv("SITE_URL", "").strip().rstrip("/")

# The public pages rendered, reused until the catalog changes (kb/pagecache.py). The
# workers of one host share them as files under DATA_DIR, so a page rendered by one
# worker serves them all; hosts need not share, since every request checks the
# catalog's version in the database.
KB_PAGE_CACHE = envbool("KB_PAGE_CACHE", "1")
# Count each code page served, for the Insight page (kb.insight).
KB_INSIGHT_PAGE_VIEWS = envbool("KB_INSIGHT_PAGE_VIEWS", "1")
# How often each process writes the Insight counts it buffered (kb.insight.counts); 0
# writes each count at once, in the request.
KB_INSIGHT_FLUSH_SECONDS = envfloat("KB_INSIGHT_FLUSH_SECONDS", "1")
# How long a process trusts the catalog version it read (an edit saved on another host
# shows within this time; on the host that saved it, at once).
KB_PAGE_CACHE_VERSION_SECONDS = envfloat("KB_PAGE_CACHE_VERSION_SECONDS", "1")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # What `{% cache %}` keeps (the site's navigation and footer), per process. The tag
    # looks this name up first, and for want of it raises and catches an error each time.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "page-cache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": envint("KB_PAGE_CACHE_ENTRIES", "2000")},
    },
}

# How long a client may wait before retrying when the database is unavailable (503).
KB_RETRY_AFTER = envint("KB_RETRY_AFTER", "10")

# Security. The proxy in front terminates TLS and says so in X-Forwarded-Proto; it
# must overwrite a client's own X-Forwarded-Proto, or a client could claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
# Probes speak plain HTTP to each host directly (patterns match the path without "/").
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)/?$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# No inline script or style and nothing from another origin: every page uses only
# files served from /static/. Search and feedback scripts, if any, go there too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is refused for AXES_COOLOFF_TIME, even with
# the right password. `manage.py axes_reset` unlocks everyone.
# Besides, after AXES_USERNAME_FAILURE_LIMIT failed logins for one username from any
# addresses, that username is refused (guesses spread over many addresses).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_USERNAME_FAILURE_LIMIT = envint("AXES_USERNAME_FAILURE_LIMIT", "20")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "60"))
# Counted per pair and per username; kb.login_throttle.LoginThrottle gives each its own limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "kb.login_throttle.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kb.client_address.client_ip"
AXES_LOCKOUT_TEMPLATE = "kb/locked_out.html"
# The proxies in front (addresses or CIDR networks): only a request from one of them has
# its X-Forwarded-For read (kb/client_address.py). Empty: the socket's address is the client.
KB_TRUSTED_PROXIES = [
    ipaddress.ip_network(value, strict=False) for value in envlist("TRUSTED_PROXIES", "")
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Pasted text can reach a log line (an exception's message): it is redacted there.
    "formatters": {
        "redacted": {
            "()": "kb.logs.RedactingFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers stay quiet when DEBUG is off; send its errors to stderr.
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
