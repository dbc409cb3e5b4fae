"""Configuration classes. Every value comes from the environment (contract section 4).

``create_app(config_class)`` takes one of these classes; nothing mutates a shared object.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _fab_password_validator(password: str) -> None:
    from app.services.passwords import fab_validator

    fab_validator(password)


def _database_url(data_dir: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(data_dir).resolve() / "portal.db")
    # psycopg 3 is the driver; accept the plain scheme that hosting platforms hand out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Production-safe defaults, read from the environment at class creation."""

    DATA_DIR = os.environ.get("DATA_DIR", str(BASE_DIR / "instance"))
    SQLALCHEMY_DATABASE_URI = _database_url(DATA_DIR)
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DEBUG = _bool("FLASK_DEBUG")
    TESTING = False

    COUNTY_NAME = os.environ.get("COUNTY_NAME", "Dakota County")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Where the county is told of each new submission (none: no intake mail).
    COUNTY_INTAKE_EMAIL = os.environ.get("COUNTY_INTAKE_EMAIL") or None
    MAX_ATTACHMENT_MB = _int("MAX_ATTACHMENT_MB", 10)
    PORTAL_TODAY = os.environ.get("PORTAL_TODAY") or None
    # The daily jobs: local time of the draft purge, and the county's time zone.
    PURGE_AT = os.environ.get("PURGE_AT", "02:00")
    PORTAL_TIMEZONE = os.environ.get("PORTAL_TIMEZONE", "America/Chicago")
    PORTAL_PURGE_BATCH = _int("PORTAL_PURGE_BATCH", 5000)
    PORTAL_PURGE_BATCH_PAUSE = os.environ.get("PORTAL_PURGE_BATCH_PAUSE") or None  # tests only

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "truancy-portal@localhost")

    # Flask-AppBuilder
    APP_NAME = os.environ.get("APP_NAME", "Truancy Referral Portal")
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "County Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.PortalSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.PortalIndexView"
    # The schema comes from migrations only, and permissions are synced by a deploy-time
    # command (`flask db upgrade` runs it), never by every worker at start-up.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    FAB_API_SWAGGER_UI = False
    # FAB's layout with the navbar rendered once per role set, name and language (app/chrome.py).
    FAB_BASE_TEMPLATE = "portal/base.html"
    # FAB's own password forms use the portal's policy (12-128 characters, not common).
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(lambda password: _fab_password_validator(password))
    FAB_API_MAX_PAGE_SIZE = 100
    PORTAL_MAX_PAGE_SIZE = 100
    # Filter menus (school years, districts, schools) are cached this many seconds per process.
    PORTAL_CHOICES_TTL = _int("PORTAL_CHOICES_TTL", 60)
    # Role permissions, and the navbar drawn from them, are cached this many seconds per
    # process (they change at deploys).
    PORTAL_PERMISSIONS_TTL = _int("PORTAL_PERMISSIONS_TTL", 60)
    LANGUAGES = {
        "en": {"flag": "us", "name": "English"},
        "es": {"flag": "es", "name": "Español"},
    }
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    JWT_ACCESS_TOKEN_EXPIRES = 60 * 60

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    # Login throttling (per account and per client address), as "N per window":
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    # Per address it is higher: a district office signs in from one public address.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "100 per 15 minutes")
    PUBLIC_FORM_LIMIT_PER_IP = os.environ.get("PUBLIC_FORM_LIMIT_PER_IP", "10 per hour")
    # Sessions end after 30 minutes idle and 12 hours in all (OWASP ASVS 3.3).
    SESSION_IDLE_SECONDS = _int("SESSION_IDLE_SECONDS", 30 * 60)
    SESSION_ABSOLUTE_SECONDS = _int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
    PERMANENT_SESSION_LIFETIME = 12 * 60 * 60


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("PORTAL_TEST_DATABASE_URI", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_SUPPRESS_SEND = True
    PORTAL_TODAY = "2026-11-16"
    PORTAL_CHOICES_TTL = 0  # each test builds its own directory
    PORTAL_PERMISSIONS_TTL = 0
    COUNTY_INTAKE_EMAIL = "intake@county.example.org"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
