"""Lists issue a fixed, small number of queries whatever the page size: the user with roles,
their permissions, the count and the page (filter menus are cached)."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services.directory import forget_choices
from tests import factories
from tests.conftest import login


@contextlib.contextmanager
def counted(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def cached_menus(app):
    app.config["PORTAL_CHOICES_TTL"] = 60
    forget_choices()
    yield
    app.config["PORTAL_CHOICES_TTL"] = 0
    forget_choices()


@pytest.mark.parametrize("username", ["clerk", "caseworker"])
@pytest.mark.parametrize("extra", [0, 40])
def test_list_page_queries_do_not_grow(app, world, cached_menus, username, extra):
    with app.app_context():
        from app.models import School, SchoolYear

        school, year = db.session.get(School, world.north), db.session.get(SchoolYear, world.year)
        for index in range(extra):
            factories.make_children(factories.make_referral(school, year, first=f"Kid{index}"))
        db.session.commit()
    client = login(app.test_client(), username)
    client.get("/referrals/")  # warm the menus' cache
    with counted(app) as statements:
        response = client.get("/referrals/")
    assert response.status_code == 200
    assert len(statements) <= 4, statements


def test_list_api_count_joins_nothing_it_does_not_filter_on(app, world):
    from tests.conftest import api_token

    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'caseworker')}"}
    with counted(app) as statements:
        response = client.get("/api/v1/referral/", headers=headers)
    assert response.status_code == 200 and response.json["count"] == 2
    counts = [s for s in statements if "count(" in s.lower()]
    assert counts and all(" join " not in s.lower() for s in counts), counts
    assert any("join school" in s.lower() for s in statements)  # the page itself lists school names
