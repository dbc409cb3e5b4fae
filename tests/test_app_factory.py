"""The factory: refuses to start without a secret; reads its configuration."""
import datetime as dt

import pytest

from app import ConfigurationError, create_app
from app.clock import today
from config import Config


def test_refuses_to_start_without_secret_key(tmp_path):
    config = type("NoSecret", (Config,), {"SECRET_KEY": None, "DEBUG": False, "TESTING": False,
                                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_debug_starts_without_secret_key(tmp_path):
    config = type("DebugNoSecret", (Config,), {"SECRET_KEY": None, "DEBUG": True,
                                               "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    app = create_app(config)
    assert app.config["SECRET_KEY"]


def test_portal_today_fixes_the_clock(app, ctx):
    assert today() == dt.date(2026, 11, 16)


def test_database_url_uses_psycopg3(monkeypatch):
    import importlib

    import config as config_module

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/portal")
    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db.example/portal"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config_module)


def test_sqlite_default_lives_under_data_dir(monkeypatch, tmp_path):
    import importlib

    import config as config_module

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/portal.db"
    finally:
        monkeypatch.delenv("DATA_DIR")
        importlib.reload(config_module)


def test_no_create_all_and_no_permission_sync_at_startup(app):
    assert app.config["FAB_CREATE_DB"] is False
    assert app.config["FAB_UPDATE_PERMS"] is False


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
