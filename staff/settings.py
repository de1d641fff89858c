"""Django settings of the staff console, which owns the escalation tables.

Every setting comes from the environment; the defaults are the embedded local set-up
(SQLite in var/, debug off, a per-machine secret key kept in var/).
"""

import os
from pathlib import Path

import dj_database_url

from clinic.local_secrets import local_secret, private_file, var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()
# bin/run-prod sets CLINIC_MODE=production; it changes the defaults that must be strict there.
PRODUCTION = os.environ.get("CLINIC_MODE", "") == "production"


SECRET_KEY = local_secret("DJANGO_SECRET_KEY", "django-secret-key")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "staff.escalations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.escalations.middleware.SecondFactorMiddleware",
    "staff.escalations.middleware.NoStoreAndCspMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "staff.urls"
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
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("ESCALATIONS_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'escalations.db'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Created owner-only before SQLite opens it (see clinic/local_secrets.py).
    if DATABASES["default"]["NAME"] != ":memory:":
        private_file(Path(DATABASES["default"]["NAME"]))
    # The action server and the console write concurrently: wait for a lock rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": float(os.environ.get("ESCALATIONS_DB_TIMEOUT", "5"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "America/Los_Angeles"
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"

# Served by waitress (python -m staff.serve); static files (the admin's and the console's) by
# WhiteNoise straight from the apps, so there is no collectstatic step.
WHITENOISE_USE_FINDERS = True
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "queue"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after STAFF_SESSION_MINUTES without a request (each request renews the cookie).
SESSION_COOKIE_AGE = int(float(os.environ.get("STAFF_SESSION_MINUTES", "30")) * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
# Secure cookies need HTTPS; the embedded set-up is http://localhost, so they are switched on
# by configuration wherever the console is served over HTTPS.
SECURE_COOKIES = os.environ.get("STAFF_SECURE_COOKIES", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("STAFF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Two-factor sign-in (TOTP, with recovery codes; staff/escalations/mfa.py): every account must
# enrol and verify when this is on (the production default); an account that enrolled always verifies.
STAFF_REQUIRE_MFA = os.environ.get("STAFF_REQUIRE_MFA", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = os.environ.get("STAFF_MFA_ISSUER", "Clinic staff console")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Addresses of reverse proxies in front of the console: only from these is X-Forwarded-For
# believed when the login throttle looks for the client's address.
STAFF_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("STAFF_TRUSTED_PROXIES", "").split(",") if p.strip()]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Django configures logging only in the console's own processes (staff/serve.py, python -m staff):
# the action server also loads these settings for the escalation tables, and there the root
# logger is the server's (JSON lines in production), not the console's.
LOGGING_CONFIG = None
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STAFF_LOG_LEVEL", "INFO")},
    # Django's request logger would print URLs and request bodies on errors; ids are logged instead.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
