"""One settings module, driven by environment variables.

Defaults give an embedded setup (SQLite under ./data, local-memory cache,
in-process tasks, console e-mail). Production switches by environment only.
"""

import os
from pathlib import Path

import dj_database_url

from jinxuan.storage import config as storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("JINXUAN_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # Embedded default: a per-installation key kept in the data folder.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Real-IP header gives the client's address (deploy/start.sh sets 127.0.0.1).
TRUSTED_PROXIES = frozenset(env_list("TRUSTED_PROXIES"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "jinxuan.accounts",
    "jinxuan.audit",
    "jinxuan.campaigns",
    "jinxuan.applicants",
    "jinxuan.pipeline",
    "jinxuan.notifications",
    "jinxuan.formalreview",
    "jinxuan.review",
    "jinxuan.voting",
    "jinxuan.roadshow",
    "jinxuan.inspection",
    "jinxuan.publicity",
    "jinxuan.results",
    "jinxuan.policies",
    "jinxuan.dashboard",
    "jinxuan.api",
    "jinxuan.demo",
    "jinxuan.tools",
    "jinxuan.ops",
    "jinxuan.prepared",
    "jinxuan.library",
    "jinxuan.reports",
    "jinxuan.recommendations",
    "jinxuan.reader",
]

MIDDLEWARE = [
    "jinxuan.ops.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jinxuan.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinxuan.urls"
WSGI_APPLICATION = "jinxuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jinxuan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jinxuan.accounts.context.roles",
            ],
        },
    }
]

# Database: SQLite file by default; DATABASE_URL (e.g. postgres://...) in production and CI.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'jinxuan.sqlite3'}",
        # Persistent connections: a new PostgreSQL backend per request costs more than the request itself.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE: a write transaction takes the lock at BEGIN, so concurrent submits queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# DATABASE_REPLICA_URL: a PostgreSQL streaming replica for the public read-only pages (jinxuan/ops/replica.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the test database through this alias
    DATABASE_ROUTERS = ["jinxuan.ops.replica.ReplicaRouter"]
    MIDDLEWARE.append("jinxuan.ops.replica.ReplicaMiddleware")
# After a write (any POST …) a client reads from the primary for this many seconds (longer than the replica lags).
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, rate limits and counters: local memory by default; REDIS_URL in production and CI.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # One Redis may serve several databases (deployments, test runs): keys are namespaced by the database.
    CACHES = {"default": {"BACKEND": "jinxuan.ops.cache.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", str(DATABASES["default"]["NAME"]))}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# SMS for voter verification: the database backend by default; a provider class in production.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "jinxuan.voting.sms.DatabaseBackend")

# Background tasks: in-process by default; TASK_BACKEND=database runs them in `jinxuan db_worker`.
if os.environ.get("TASK_BACKEND", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# E-mail: console by default; EMAIL_HOST switches to SMTP.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "金选平台 <noreply@jinxuan.example.cn>")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "public:home"

# Lockout after repeated failures (django-axes): per user name and per IP.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
# Lock a username from one address: applicants and experts of one institution often share one NAT address,
# so failures on one account must not lock out the whole institution.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jinxuan" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # shown and judged in Beijing time; stored in UTC
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "jinxuan" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
LIBRARY_INDEX_DIR = Path(os.environ.get("LIBRARY_INDEX_DIR", DATA_DIR / "library-index"))  # library/engine.py
TEXT_INDEX_DIR = Path(os.environ.get("TEXT_INDEX_DIR", DATA_DIR / "text-index"))  # formalreview/insights.py
MEDIA_URL = "/media/"
# The site's public address (https://host), printed in documents (the verify QR code); else the request's.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
# Attachments, print-outs and compendium files: the local folder MEDIA_ROOT, or an S3-compatible object store when
# S3_BUCKET is set (S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION, S3_ADDRESSING_STYLE).
STORAGES = {
    "default": storage_config.default_storage(os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: scripts only from our own static files (page behaviours are data attributes read by
# static/jinxuan/behaviour.js); inline style attributes stay allowed (bars and widths in tables). The API's
# interactive docs page is excluded: django-ninja renders it with an inline script.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"], "font-src": ["'self'"], "connect-src": ["'self'"], "object-src": ["'none'"],
        "base-uri": ["'none'"], "frame-ancestors": ["'none'"], "form-action": ["'self'"],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# PRODUCTION=1 (behind TLS): secure cookies, HTTPS redirect and HSTS; `jinxuan check --deploy` is clean.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION:
    if not os.environ.get("SECRET_KEY"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("生产环境（PRODUCTION=1）必须通过环境变量设置 SECRET_KEY")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # nginx terminates TLS and says so
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$", r"^readyz$"]  # probes speak plain HTTP on loopback
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Audit chain: each event's hash is an HMAC under AUDIT_HMAC_KEY (the environment; derived from SECRET_KEY when
# unset; never stored in the database). Anchors: the head published outside the database every
# AUDIT_ANCHOR_EVERY events and hourly (`jinxuan audit anchor --every 3600` queues it for the task worker), to
# AUDIT_ANCHOR_FILE: in production by default outside the data folder, in a directory the database role and the
# web processes' data folder do not share (see deploy/README.md).
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_ANCHOR_EVERY = int(os.environ.get("AUDIT_ANCHOR_EVERY", "100"))
AUDIT_ANCHOR_FILE = Path(os.environ.get(
    "AUDIT_ANCHOR_FILE", "/var/lib/jinxuan-audit/audit-anchors.log" if PRODUCTION else DATA_DIR / "audit-anchors.log"))
PRESET_DIR = BASE_DIR / "presets"
# Submissions are accepted until the campaign's deadline plus this grace period (seconds).
SUBMISSION_GRACE_SECONDS = int(os.environ.get("SUBMISSION_GRACE_SECONDS", "0"))
UPLOAD_CHUNK_DIR = Path(os.environ.get("UPLOAD_CHUNK_DIR", DATA_DIR / "uploads-in-progress"))
# Whole-file uploads over 2.5 MB are spooled here (not the system temp folder) so `jinxuan uploads purge` finds
# what a killed server left behind.
FILE_UPLOAD_TEMP_DIR = Path(os.environ.get("FILE_UPLOAD_TEMP_DIR", DATA_DIR / "upload-tmp"))
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
# An unfinished resumable upload expires (and its reservation is released) this long after it started.
UPLOAD_EXPIRY_SECONDS = int(os.environ.get("UPLOAD_EXPIRY_SECONDS", str(24 * 3600)))
# Quotas: the preset's attachment rules (sum of max size × max files) times this margin, per application and,
# for unfinished uploads, per user.
UPLOAD_QUOTA_MARGIN = float(os.environ.get("UPLOAD_QUOTA_MARGIN", "1.5"))
# Downloads from an object store: "stream" (through the application) or "redirect" (to a signed link that
# expires after ATTACHMENT_LINK_SECONDS, at most 60). The local folder always streams.
ATTACHMENT_DOWNLOAD = os.environ.get("ATTACHMENT_DOWNLOAD", "stream")
ATTACHMENT_LINK_SECONDS = storage_config.link_seconds(os.environ)
CSRF_FAILURE_VIEW = "jinxuan.dashboard.errors.csrf_failure"
# Resumable uploads send 4 MB pieces as raw request bodies: allow them (other forms stay far below this).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# LOG_FORMAT=json: one JSON object per line (the production topology in deploy/ sets it).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                            "json_ensure_ascii": False}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             **({"formatter": "json"} if os.environ.get("LOG_FORMAT") == "json" else {})}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Limits over accounts and server processes (jinxuan.accounts.throttle), counted in the cache (Redis in production):
# (count, seconds) per window.
JINXUAN_THROTTLES = {
    "login_ip": (int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", "30")), 3600),  # failed logins from one address
    "login_account": (int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "10")), 3600),  # one account, any address
    "reset_ip": (int(os.environ.get("PASSWORD_RESET_IP_LIMIT", "10")), 3600),
    "reset_email": (int(os.environ.get("PASSWORD_RESET_EMAIL_LIMIT", "3")), 3600),
}
