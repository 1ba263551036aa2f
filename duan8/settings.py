"""Django settings for duan8, read from the environment only (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from duan8.conf import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DUAN8_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DUAN8_DEBUG", False)
HTTPS = env_bool("DUAN8_HTTPS", not DEBUG)

_secret = env_str("DUAN8_SECRET_KEY", "")
if not _secret and DEBUG:
    _secret = "insecure-development-key-only-for-DUAN8_DEBUG"
if not _secret:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DUAN8_SECRET_KEY is required (or DUAN8_DEBUG=1 for development). "
        "`make run` creates one under var/ for the local demo."
    )
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("DUAN8_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DUAN8_CSRF_TRUSTED_ORIGINS", [])
if env_bool("DUAN8_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
AUDIT_TRUST_FORWARDED_FOR = env_bool("DUAN8_BEHIND_PROXY", False)

INSTALLED_APPS = [
    "duan8.core",
    "duan8.accounts",
    "duan8.geo",
    "duan8.framework",
    "duan8.community",
    "duan8.activities",
    "duan8.finance",
    "duan8.maternal",
    "duan8.benefits",
    "duan8.reporting",
    "duan8.analytics",
    "duan8.reportforms",
    "duan8.documents",
    "duan8.dhis2",
    "duan8.api",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

# Background jobs (large imports and exports, ``duan8.core.jobs``): tasks wait in the
# database itself, taken by ``duan8 worker`` (started by ``duan8 serve``) or by workers on
# other machines.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "duan8.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "duan8.api.middleware.JsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "duan8.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "duan8.urls"
WSGI_APPLICATION = "duan8.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "duan8.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", "sqlite:///duan8.sqlite3"), base_dir=DATA_DIR
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DUAN8_DB_CONN_MAX_AGE", 60, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "core:overview"
LOGOUT_REDIRECT_URL = "accounts:signin"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SIGNIN_MAX_FAILURES = env_int("DUAN8_SIGNIN_MAX_FAILURES", 5, minimum=1)
SIGNIN_LOCK_MINUTES = env_int("DUAN8_SIGNIN_LOCK_MINUTES", 15, minimum=1)
SIGNIN_ADDRESS_MAX_FAILURES = env_int("DUAN8_SIGNIN_ADDRESS_MAX_FAILURES", 20, minimum=1)
SIGNIN_DEVICE_DAYS = env_int("DUAN8_SIGNIN_DEVICE_DAYS", 180, minimum=1)
SIGNIN_CODE_MINUTES = env_int("DUAN8_SIGNIN_CODE_MINUTES", 5, minimum=1)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["duan8.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("DUAN8_TIME_ZONE", "Asia/Ho_Chi_Minh")
LANGUAGE_COOKIE_NAME = "duan8_language"

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("DUAN8_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "duan8.core.storage.StaticStorage"},
}
MEDIA_ROOT = Path(env_str("DUAN8_MEDIA_ROOT", str(DATA_DIR / "media")))
# Attached documents are served only through views that check access, never as static files.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security baseline. Behind HTTPS (the default unless DUAN8_DEBUG) cookies are secure,
# HSTS is sent and plain HTTP is redirected.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = env_int("DUAN8_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("DUAN8_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("DUAN8_SILENCED_CHECKS", [])

LOG_LEVEL = env_choice("DUAN8_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

API_TOKEN_PREFIX = "d8_"
API_TOKEN_DAYS = env_int("DUAN8_API_TOKEN_DAYS", 90, minimum=1)
API_TOKEN_MAX_DAYS = env_int("DUAN8_API_TOKEN_MAX_DAYS", 366, minimum=API_TOKEN_DAYS)

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
