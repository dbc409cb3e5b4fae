"""One app per test session, a clean database per test, login helpers.

``PORTAL_TEST_DB=postgresql`` runs the suite on PostgreSQL: a fresh database is created from
``TEST_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/``) and dropped at the
end. Otherwise a SQLite file in a temporary directory. Either way the schema comes from the
migrations (``flask db upgrade``), exactly as in production.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from config import TestingConfig
from tests import factories

PG = os.environ.get("PORTAL_TEST_DB") == "postgresql"
PG_BASE = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/")
KEEP_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "ab_role",
               "ab_permission_view_role", "alembic_version"}


def pg_url(database: str) -> str:
    base = PG_BASE.rstrip("/")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


class _PgAdmin:
    """Creates and drops throw-away PostgreSQL databases."""

    def __init__(self):
        self.engine = create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        name = f"portal_test_{uuid.uuid4().hex[:10]}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return name

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A new, empty database for the session."""
    if PG:
        admin = _PgAdmin()
        name = admin.create()
        yield pg_url(name)
        admin.drop(name)
        admin.engine.dispose()
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.db")


@pytest.fixture(scope="session")
def empty_database_url():
    """Builds more empty databases on demand (migration tests); drops them afterwards."""
    made = []
    admin = _PgAdmin() if PG else None

    def make(tmp_path):
        if PG:
            name = admin.create()
            made.append(name)
            return pg_url(name)
        return "sqlite:///" + str(tmp_path / f"{uuid.uuid4().hex}.db")

    yield make
    for name in made:
        admin.drop(name)
    if admin:
        admin.engine.dispose()


def make_config(url: str, **overrides):
    attrs = {"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": os.path.dirname(url.split("///")[-1]) or ".",
             "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **overrides}
    return type("SessionTestingConfig", (TestingConfig,), attrs)


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_db(request):
    """Every test starts with the roles and permissions only."""
    yield
    if "app" not in request.fixturenames:
        return
    from app import throttle

    app = request.getfixturevalue("app")
    from app.extensions import db

    with app.app_context():
        throttle.reset()  # login throttling counts are process-wide: each test starts afresh
        db.session.rollback()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
        db.session.remove()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        from app.extensions import db

        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    """Two schools, one user per role (two school clerks), a school year, and one referral
    with family member, intervention and attachment at each school (ids only: requests must
    not run inside a test's app context, or Flask-Login's per-context user would leak)."""
    from app.extensions import db

    with app.app_context():
        made = factories.make_world()
        db.session.remove()
    return made


def login(client, username, password=factories.PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, response.data[:500]
    return client


def api_token(client, username, password=factories.PASSWORD) -> str:
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db"})
    assert response.status_code == 200, response.json
    return response.json["access_token"]
