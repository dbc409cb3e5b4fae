"""The Truancy Referral Portal application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from flask_appbuilder import AppBuilder

from app.extensions import csrf, db, mail, migrate

log = logging.getLogger(__name__)

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def _check_secret_key(app: Flask) -> None:
    """Refuse to start without a real secret, unless in debug (as Superset does)."""
    if app.config.get("SECRET_KEY") or app.debug or app.testing:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.urandom(32).hex()
            log.warning("SECRET_KEY is not set; using a random key (debug only).")
        return
    raise ConfigurationError(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
        "(or FLASK_DEBUG=1 for local development)."
    )


def create_app(config_class: type | None = None) -> Flask:
    """Build the app: bind extensions, register views, APIs and the CLI."""
    if config_class is None:
        from config import Config, DevelopmentConfig

        config_class = DevelopmentConfig if os.environ.get("FLASK_DEBUG") == "1" else Config

    app = Flask(__name__)
    from app.database import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: ids beyond the column's range are 404s
    app.config.from_object(config_class)
    _check_secret_key(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    # CSRFProtect must exist before AppBuilder, or the JSON API and its login break.
    csrf.init_app(app)
    mail.init_app(app)

    from app import models  # noqa: F401  (register every mapper before FAB inspects them)
    from app.database import install_engine_hooks
    from app.security import install_scope_guard

    with app.app_context():
        install_engine_hooks(db.engine)
        # One AppBuilder per app: FAB keeps views and menus on the instance, so a shared
        # instance would register everything twice when a second app is built (tests do).
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        from app.api import register_apis
        from app.views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        appbuilder.post_init()
    install_scope_guard()
    from app.services.notify import install_outbox

    install_outbox()
    from app.api.base import install_fast_rison_validation

    install_fast_rison_validation()
    from app.services import tally

    tally.install()
    from app import chrome, i18n, sessions, throttle

    i18n.install(app)
    chrome.install(app)

    sessions.install(app)
    throttle.install(app)

    from app.cli import portal

    app.cli.add_command(portal)
    from app.errors import register_error_handlers

    register_error_handlers(app)
    return app
