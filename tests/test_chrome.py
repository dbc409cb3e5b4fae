"""The navbar kept per role set, name and language (app/chrome.py) is the navbar FAB draws,
and one visitor never gets another's: menus by role, their own name, their own language."""
from __future__ import annotations

import re

import pytest
from flask import render_template_string

from app import chrome, security
from tests.conftest import login

USERS = ("admin", "caseworker", "clerk", "southclerk")


def navbar_of(client) -> str:
    page = client.get("/referrals/").get_data(as_text=True)
    return page[page.index('<header class="top"'):page.index("</header>")]


@pytest.fixture
def cached_chrome(app):
    def forget():
        with app.app_context():
            chrome.forget()
        security._PERMISSION_CACHE.clear()

    forget()
    app.config["PORTAL_PERMISSIONS_TTL"] = 60
    yield
    app.config["PORTAL_PERMISSIONS_TTL"] = 0
    forget()


@pytest.fixture
def drawn_afresh(app, world):
    """Each user's navbar with no cache (TTL 0), as FAB renders it."""
    return {user: navbar_of(login(app.test_client(), user)) for user in USERS}


def test_cached_navbar_is_the_one_fab_draws(app, world, drawn_afresh, cached_chrome):
    clients = {user: login(app.test_client(), user) for user in USERS}
    for _round in range(2):  # the first round fills the cache, the second reads it
        for user, client in clients.items():
            assert navbar_of(client) == drawn_afresh[user], user
    with app.app_context():
        assert len([key for key in app.extensions["portal_chrome"] if key[0] == "navbar"]) == len(USERS)  # one entry per role set and name


def test_each_visitor_gets_their_own_menus_and_name(app, world, cached_chrome):
    admin = navbar_of(login(app.test_client(), "admin"))  # cached first, with every menu
    clerk = navbar_of(login(app.test_client(), "clerk"))
    south = navbar_of(login(app.test_client(), "southclerk"))
    assert "Audit log" in admin and "Admin Tester" in admin
    assert "Audit log" not in clerk and "Access requests" not in clerk
    assert "Clerk Tester" in clerk and "Admin Tester" not in clerk
    assert "Southclerk Tester" in south and "Clerk Tester" not in south


def test_the_language_is_part_of_the_key(app, world, cached_chrome):
    english = login(app.test_client(), "clerk")
    spanish = login(app.test_client(), "clerk")
    assert spanish.get("/lang/es").status_code in (200, 302)
    navbar_en, navbar_es = navbar_of(english), navbar_of(spanish)
    assert navbar_en != navbar_es
    assert navbar_of(english) == navbar_en and navbar_of(spanish) == navbar_es


def test_the_login_page_shows_no_user_menu(app, world, cached_chrome):
    login(app.test_client(), "admin").get("/referrals/")
    page = app.test_client().get("/login/").get_data(as_text=True)
    assert "Admin Tester" not in page and "Audit log" not in page


def test_entries_expire_with_the_permissions_ttl(app, world, cached_chrome, monkeypatch):
    client = login(app.test_client(), "clerk")
    navbar_of(client)
    cache = app.extensions["portal_chrome"]
    (key, (expires, html)), = [(key, entry) for key, entry in cache.items() if key[0] == "navbar"]
    cache[key] = (expires, html.replace("Clerk Tester", "Stale Name"))
    assert "Stale Name" in navbar_of(client)  # within the TTL the entry is used...
    monkeypatch.setattr(chrome.time, "monotonic", lambda: expires + 1)
    assert "Stale Name" not in navbar_of(client)  # ...and drawn afresh once it has expired


def asset_tags(html: str) -> list[str]:
    return re.findall(r"<(?:link|script)\b[^>]*>", html)


@pytest.mark.parametrize("path", ["/referrals/", "/referrals/{own}"])
def test_asset_tags_are_the_ones_fab_draws(app, world, path):
    client = login(app.test_client(), "clerk")
    pages = [client.get(path.format(own=world.own)).get_data(as_text=True) for _ in range(2)]  # 2nd: cached
    with app.test_request_context("/"):
        fab = render_template_string('{% extends "appbuilder/init.html" %}', appbuilder=app.appbuilder)
    assert len(asset_tags(fab)) >= 10
    for page in pages:
        tags = asset_tags(page)
        assert all(tags.count(tag) == 1 for tag in asset_tags(fab)), path  # each once, none lost


def test_asset_tags_are_drawn_afresh_when_a_csp_nonce_is_in_use(app, world):
    import itertools

    counter = itertools.count()

    def nonce_processor():
        return {"csp_nonce": lambda: f"nonce-{next(counter)}"}

    processors = app.template_context_processors[None]
    processors.append(nonce_processor)
    try:
        client = login(app.test_client(), "clerk")
        first, second = (client.get("/referrals/").get_data(as_text=True) for _ in range(2))
    finally:
        processors.remove(nonce_processor)
    nonces = [set(re.findall(r'nonce="(nonce-\d+)"', page)) for page in (first, second)]
    assert nonces[0] and nonces[1] and not nonces[0] & nonces[1]  # no page reuses another's nonce
