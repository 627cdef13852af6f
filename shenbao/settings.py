"""The one settings module. Every knob is an environment variable documented in the README;
the defaults give the embedded set-up (SQLite, local files, tasks in the database)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shenbao import installation_secrets

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

# SECRET_KEY, SEAL_KEY_PASSPHRASE, AUDIT_HMAC_KEY: from the environment in production; a demo or a
# test run uses per-installation values generated into DATA_DIR/secrets.json. Outside DEBUG a missing,
# empty or published-default value refuses to start, naming the variable (installation_secrets.py).
try:
    _secrets = installation_secrets.load(DATA_DIR, debug=DEBUG)
except installation_secrets.MissingSecret as _error:
    raise ImproperlyConfigured(str(_error)) from None
SECRET_KEY = _secrets["SECRET_KEY"]
# Keys the audit log's hash chain (HMAC): kept out of the database, so that whoever can write to the
# database cannot re-chain edited rows.
AUDIT_HMAC_KEY = _secrets["AUDIT_HMAC_KEY"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "shenbao.web",
    "shenbao.calls",
    "shenbao.organisations",
    "shenbao.accounts",
    "shenbao.applications",
    "shenbao.attachments",
    "shenbao.rules",
    "shenbao.review",
    "shenbao.evaluation",
    "shenbao.documents",
    "shenbao.audit",
    "shenbao.jobs",
    "shenbao.api",
    "shenbao.backup",
]

MIDDLEWARE = [
    "shenbao.web.middleware.ForwardedClientMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The API's errors as JSON whatever produced them below: before the others, to see their answers.
    "shenbao.api.middleware.JsonErrorsMiddleware",
    "shenbao.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shenbao.accounts.backends.PreviousBackendSessionsMiddleware",
    "shenbao.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shenbao.accounts.idle.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shenbao.accounts.middleware.PasswordChangeRequiredMiddleware",
    "shenbao.web.middleware.StorageErrorMiddleware",
    "shenbao.web.middleware.BadInputMiddleware",
    "shenbao.audit.middleware.RefusedAccessMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shenbao.urls"
WSGI_APPLICATION = "shenbao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shenbao.web.context_processors.site",
            ],
            "builtins": ["shenbao.web.templatetags.shenbao_tags"],
        },
    },
]

# DATABASE_URL: sqlite:///path or postgres://user@host:port/name. Default: SQLite under DATA_DIR.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shenbao.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "shenbao.postgres"  # its health check costs no round trip
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep SQLite usable with a web process and a task worker side by side.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shenbao.accounts.backends.CachedModelBackend",  # Django's, with the user in the shared cache
]
# Django's rules with Chinese sentences (shenbao/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shenbao.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "shenbao.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "shenbao.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "shenbao.accounts.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Sessions expire: after SESSION_IDLE_SECONDS without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 2 * 60 * 60)
# Not on every request: an autosave would write the session each time. The idle timeout is kept by a
# signed cookie instead, and the session is renewed half-way (shenbao.accounts.idle).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form token gets the site's page in Chinese (a form left open too long), not Django's.
CSRF_FAILURE_VIEW = "shenbao.web.errors.csrf_failure"

# Draft PDFs are cached by version; a person may have this many rendered per window (documents/drafts.py).
DRAFT_PDF_RENDERS = env_int("DRAFT_PDF_RENDERS", 6)
DRAFT_PDF_WINDOW_SECONDS = env_int("DRAFT_PDF_WINDOW_SECONDS", 600)

# CACHE_URL: redis://host:6379/1 to share the cache (sessions, signed-in users, live-review contexts,
# draft PDFs, rate limits) between web workers; by default each process keeps its own. Rendered draft
# PDFs (up to a few MB each) have their own alias, so that in memory only a few are kept. Sessions and
# users are cached only in a shared cache: a change must be seen by every process at once.
SHARED_CACHE = bool(env_str("CACHE_URL", ""))
if SHARED_CACHE:
    _shared_cache = {"BACKEND": "shenbao.cache.ReusingRedisCache", "LOCATION": env_str("CACHE_URL", "")}
    CACHES = {"default": _shared_cache, "drafts": {**_shared_cache, "KEY_PREFIX": "drafts"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
        "drafts": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "drafts",
            "OPTIONS": {"MAX_ENTRIES": 20},
        },
    }
# With a shared cache, a request reads its session from the cache (written through to the database),
# and its user too (accounts/backends.py): an autosave then costs PostgreSQL its UPDATE only. A cache
# of each process's own would keep a logged-out session alive in the other processes, so without
# CACHE_URL sessions stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if SHARED_CACHE else "django.contrib.sessions.backends.db"
# Behind HTTPS (SECURE_COOKIES on), browsers are told to use nothing else: HSTS for HSTS_SECONDS.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
# Behind a proxy that ends TLS: SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https" makes Django trust
# that header (only set it when the proxy always sets or strips it).
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_header:
    _name, _, _value = _proxy_header.partition("=")
    if not _name.startswith("HTTP_") or not _value:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER should look like HTTP_X_FORWARDED_PROTO=https")
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())
# The proxies in front (nginx of `make serve`, a department's balancer), the same variable gunicorn
# reads: from them, the client's address is the last one in X-Forwarded-For that is not theirs
# (shenbao.web.middleware.ForwardedClientMiddleware), for the audit trail and the login lockout.
FORWARDED_ALLOW_IPS = env_list("WEB_FORWARDED_ALLOW_IPS", ["127.0.0.1"])
# Only when every such proxy sets X-Request-Start itself (nginx of `make serve` does): a click is then
# judged by when it reached the proxy, not when a worker took it (shenbao/web/clock.py).
TRUST_REQUEST_START = env_bool("TRUST_REQUEST_START", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script, event handler or style attribute anywhere: behaviour lives in static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# django-axes: lock an account+address after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown and decided in the call's timezone.
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise looks here at start-up
MEDIA_URL = "/media/"

# STORAGE_BACKEND=local (default) keeps files under DATA_DIR/media; =s3 uses django-storages with
# STORAGE_S3_BUCKET, STORAGE_S3_ENDPOINT_URL, STORAGE_S3_ACCESS_KEY, STORAGE_S3_SECRET_KEY, STORAGE_S3_REGION.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as BotocoreConfig

    _default_storage = {
        "BACKEND": "shenbao.s3_storage.S3Storage",  # one session per process, one PUT per file
        "OPTIONS": {
            "bucket_name": env_str("STORAGE_S3_BUCKET", "shenbao"),
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("STORAGE_S3_SECRET_KEY"),
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            # Short timeouts and few retries: a hanging store must fail a request in seconds, not minutes.
            "client_config": BotocoreConfig(
                connect_timeout=env_int("STORAGE_TIMEOUT_SECONDS", 10),
                read_timeout=env_int("STORAGE_TIMEOUT_SECONDS", 10),
                retries={"max_attempts": env_int("STORAGE_RETRIES", 2), "mode": "standard"},
            ),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# TASKS_BACKEND=database (default: a worker runs `manage.py db_worker`), =rq (Redis at TASKS_REDIS_URL,
# worker `manage.py rqworker default --job-class django_tasks_rq.backend.Job`; `make worker` picks the right
# one), =immediate (run inside the request; tests).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_task_backends = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _task_backends[TASKS_BACKEND], "QUEUES": ["default"]}}
# Always installed (it only adds `manage.py rqworker`), so switching TASKS_BACKEND needs no other change.
INSTALLED_APPS.append("django_rq")
RQ_QUEUES = {"default": {"URL": env_str("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0")}}

# EMAIL_URL-like pieces: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shenbao@localhost")

# Where the call files live (one TOML file per call).
CALLS_DIR = Path(env_str("CALLS_DIR", str(BASE_DIR / "calls")))
# Public address used in e-mails (links to set a password, to open an application).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# E-seals (二(一)4). SEAL_KEY_PASSPHRASE encrypts the private keys of shenbao's development CA;
# SEAL_TRUST_ROOTS (comma-separated PEM files) replaces that CA as the trust root when a real CA signs.
SEAL_KEY_PASSPHRASE = _secrets["SEAL_KEY_PASSPHRASE"]
SEAL_TRUST_ROOTS = [p for p in env_str("SEAL_TRUST_ROOTS", "").split(",") if p]
# A function (kind, owner, common_name, organisation) -> documents.ca.Identity: who signs.
SEAL_IDENTITY_PROVIDER = env_str("SEAL_IDENTITY_PROVIDER", "shenbao.documents.ca.identity")

# Background work that always finishes or says why (issue 9): shenbao's jobs (sealing, mail) live in the
# database table jobs_job and `manage.py work` runs them. A worker holds a job for JOB_LEASE_SECONDS; a
# job whose worker died is taken up again after that. A failed attempt is retried after
# JOB_RETRY_BASE_SECONDS × 2^(attempt-1) (at most JOB_RETRY_MAX_SECONDS), JOB_MAX_ATTEMPTS times in all.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5)
JOB_RETRY_BASE_SECONDS = env_int("JOB_RETRY_BASE_SECONDS", 10)
JOB_RETRY_MAX_SECONDS = env_int("JOB_RETRY_MAX_SECONDS", 600)
# `manage.py check_tasks` calls a queued job late after this long.
JOB_LATE_SECONDS = env_int("JOB_LATE_SECONDS", 300)
# A list confirmation whose process died stops blocking its recommender after this long.
LIST_CONFIRMATION_LEASE_SECONDS = env_int("LIST_CONFIRMATION_LEASE_SECONDS", 300)
# Jobs run inside the request that accepted them, once committed (tests, TASKS_BACKEND=immediate).
JOBS_IMMEDIATE = TASKS_BACKEND == "immediate"

# Every uploaded PDF is opened in a child process with these ceilings (二(一)3): a file that needs more
# memory or CPU time than this to open (a decompression bomb) is refused and never reaches the worker.
PDF_CHECK_MEMORY_MB = env_int("PDF_CHECK_MEMORY_MB", 512)
PDF_CHECK_SECONDS = env_int("PDF_CHECK_SECONDS", 20)

# Where `manage.py anchor_audit` appends the signed head of the audit chain: a local append-only file
# (default) or, with AUDIT_ANCHOR_STORAGE=storage, Django's default storage (S3) under audit-anchors/.
AUDIT_ANCHOR_STORAGE = env_str("AUDIT_ANCHOR_STORAGE", "file")
AUDIT_ANCHOR_FILE = Path(env_str("AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit-anchors.jsonl")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
