"""Lindung settings: one file, driven by environment variables.

DATABASE_URL   sqlite:////abs/path.sqlite3 or postgres://user@host:5432/name
               (default: var/lindung.sqlite3 under the repository)
SECRET_KEY     generated once into var/secret_key when unset
ALLOWED_HOSTS  comma-separated (default: localhost,127.0.0.1)
TIME_ZONE      default Asia/Makassar (WITA, Lombok)
DEBUG          1 for development only
HTTPS          1 when served behind TLS: secure cookies, HSTS, redirect
LINDUNG_VAR    folder for the database, secret key, uploads (default: var/)
LINDUNG_APBDP_DEADLINE   the APBD-P deadline as MM-DD (default 09-30): realisation warnings
LINDUNG_UNSPENT_WARNING  the share of a pagu left unspent that warns before it (default 0.10)
LINDUNG_CLAIMS_RULES     a JSON file replacing claims/data/claims-rules.json (decision 0005)
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LINDUNG_VAR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
NODE_MODULES = Path(os.environ.get("LINDUNG_NODE_MODULES", BASE_DIR / "node_modules"))
TESTING = "pytest" in sys.modules


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
HTTPS = _env_bool("HTTPS")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "lindung.ui",
    "lindung.jobs",
    "lindung.audit",
    "lindung.regions",
    "lindung.accounts",
    "lindung.registry",
    "lindung.rules",
    "lindung.targeting",
    "lindung.enrollment",
    "lindung.billing",
    "lindung.claims",
    "lindung.dashboard",
    "lindung.home",
    "lindung.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Indonesian unless the user's profile (or, before login, the language cookie) says
    # otherwise; never the browser's Accept-Language (Django's LocaleMiddleware is not used).
    "lindung.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lindung.audit.middleware.AuditContextMiddleware",
    "lindung.accounts.middleware.PasswordChangeRequiredMiddleware",
    "lindung.accounts.person_level.PersonLevelMiddleware",  # pimpinan: aggregates only
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lindung.urls"
WSGI_APPLICATION = "lindung.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lindung.ui.context_processors.navigation",
                "lindung.regions.working.picker_context",
            ],
            "builtins": ["lindung.ui.templatetags.lindung_format"],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lindung.sqlite3'}"),
        conn_max_age=0 if TESTING else 60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"  # each role lands on its own work (home.views)
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; argon2 at production cost would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # `aaaaaaaaaaaa` or `abcdefghij` pass the four above: refuse too few distinct characters,
    # repeated blocks and straight sequences.
    {"NAME": "lindung.accounts.validators.VariedCharactersValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling, two limits (lindung/accounts/throttle.py explains why): axes locks an IP
# address after AXES_IP_FAILURE_LIMIT failures across all usernames within the cool-off; a
# username gets a growing delay (never a lock) after AXES_USERNAME_FAILURE_LIMIT failures from
# any address, at most the cool-off. AXES_FAILURE_LIMIT, the older name, still sets the latter.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "30"))
LOGIN_USERNAME_FAILURE_LIMIT = int(
    os.environ.get("AXES_USERNAME_FAILURE_LIMIT", os.environ.get("AXES_FAILURE_LIMIT", "5"))
)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Not axes' reset, which would forgive every failure of the address (an insider with an account
# could then spray on): a successful login forgives only that username's failures.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "lindung.accounts.throttle.client_str"  # no IP in axes' log lines
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "lindung_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "lindung_csrf"
CSRF_COOKIE_AGE = None  # a browser-session cookie, like the session's (Django's default: a year)
CSRF_FAILURE_VIEW = "lindung.ui.views.csrf_failure"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language, time, formats ------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lindung_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # a visitor's choice on the login page
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Makassar")

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    # Front-end libraries installed by npm (package-lock.json), served by whitenoise.
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if TESTING or os.environ.get("LINDUNG_TASKS") == "immediate":
    # Tests run background jobs in the request that queues them (no worker process).
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Lindung ----------------------------------------------------------------------------------
# Where `lindung regions load` reads the Kemendagri tree (npm package idn-area-data).
LINDUNG_AREA_DATA = Path(
    os.environ.get("LINDUNG_AREA_DATA", NODE_MODULES / "idn-area-data" / "data")
)
# Reference files used by `lindung demo` (boundaries, population), when present.
LINDUNG_SHARED_DATA = Path(
    os.environ.get("LINDUNG_SHARED_DATA", BASE_DIR.parent / "shared" / "data" / "wilayah")
)
LINDUNG_DEFAULT_KABUPATEN = os.environ.get("LINDUNG_DEFAULT_KABUPATEN", "52.03")
# Days an uploaded worker list and its checking result are kept after the commit (or the upload
# for an import that failed or was never decided), then `lindung purge` removes them (UU PDP).
LINDUNG_UPLOAD_RETENTION_DAYS = int(os.environ.get("LINDUNG_UPLOAD_RETENTION_DAYS", "30"))
# An import whose process made no progress for this many seconds (and is not known to be alive)
# is stale: shown as failed with "retry" and "discard" (registry/recovery.py).
LINDUNG_IMPORT_STALE_SECONDS = int(os.environ.get("LINDUNG_IMPORT_STALE_SECONDS", "600"))
# A background job (scenario run, export) whose process made no progress for this many seconds
# (and is not known to be alive) is marked failed; the files jobs write (exports) are removed
# this many hours after the job ended.
LINDUNG_JOB_STALE_SECONDS = int(os.environ.get("LINDUNG_JOB_STALE_SECONDS", "600"))
LINDUNG_JOB_FILE_HOURS = int(os.environ.get("LINDUNG_JOB_FILE_HOURS", "24"))
# Share of the population that works, to estimate the working population behind the dashboard's
# UCJ-style coverage rate (sponsored ÷ working population). UNVERIFIED default: set the
# regency's own figure (BPS Sakernas) when known.
LINDUNG_WORKING_SHARE = float(os.environ.get("LINDUNG_WORKING_SHARE", "0.5"))

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks NIK-like numbers and cuts query strings (lindung.logsafe); gunicorn's
    # access and error logs get the same filter through `lindung serve` (--logger-class).
    "filters": {"redact": {"()": "lindung.logsafe.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (a console without the filter, mail_admins, runserver's request
        # lines with their query strings) are replaced: everything goes to the root's console.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # axes logs usernames and IPs on every attempt: keep personal data out of the logs.
        "axes": {"level": "WARNING"},
    },
}

# Realisation against the pagu (billing.realisation): the APBD-P deadline as MM-DD, and the
# share of a pagu left unspent by December that warns until that deadline.
LINDUNG_APBDP_DEADLINE = os.environ.get("LINDUNG_APBDP_DEADLINE", "09-30")
LINDUNG_UNSPENT_WARNING = float(os.environ.get("LINDUNG_UNSPENT_WARNING", "0.10"))

# The claim rules kept as data (claims.rules): empty for the file shipped with Lindung.
LINDUNG_CLAIMS_RULES = os.environ.get("LINDUNG_CLAIMS_RULES", "")
