"""Ids no row can have (beyond the id columns' range) and rison no parser takes are a 404 or a
400 in the contract's shape on every route, never a 500 from the database or the parser."""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from app.database import MAX_ID
from tests.conftest import api_token, login

HUGE = (MAX_ID + 1, 10**28)


def routes_with_ids(app) -> list[tuple[str, str]]:
    """(method, path) of every route that takes an id, with each id set to ``{id}``."""
    found = []
    for rule in app.url_map.iter_rules():
        takes_id = [name for name, conv in rule._converters.items()
                    if isinstance(conv, IntegerConverter) or (name == "pk" and rule.rule.startswith("/api/"))]
        if not takes_id:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", "{id}" if name in takes_id else "1", path)
        path = path.replace("<version>", "v1")
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(set(found))


def test_every_id_route_is_covered(app):
    routes = routes_with_ids(app)
    assert ("GET", "/api/v1/referral/{id}/history") in routes
    assert ("PUT", "/api/v1/referral/{id}") in routes and ("DELETE", "/api/v1/referral/{id}") in routes
    assert ("GET", "/referrals/{id}") in routes and ("POST", "/referrals/{id}/move") in routes
    assert len(routes) > 30


@pytest.mark.parametrize("value", HUGE)
def test_ids_beyond_the_column_range_are_not_found(app, world, value):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'admin')}"}
    browser = login(app.test_client(), "admin")
    for method, path in routes_with_ids(app):
        url = path.format(id=value)
        if url.startswith("/api/"):
            response = api.open(url, method=method, headers=headers, json={})
            assert response.status_code in (404, 405), (method, url, response.status_code)
            assert set(response.json) == {"message", "errors"}, (method, url)
        else:
            response = browser.open(url, method=method, data={})
            assert response.status_code in (404, 405), (method, url, response.status_code)


@pytest.mark.parametrize("q", ["3.5e%2B16", "1e999", "(a:!(", "%FF", "!n!t", "(order_column:%27%27"])
@pytest.mark.parametrize("path", ["/api/v1/referral/", "/api/v1/referral/_info", "/api/v1/school/",
                                  "/api/v1/audit/"])
def test_rison_that_does_not_parse_is_a_400(app, world, path, q):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'admin')}"}
    response = client.get(f"{path}?q={q}", headers=headers)
    assert response.status_code == 400, (path, q, response.status_code, response.json)
    assert set(response.json) == {"message", "errors"}


@pytest.mark.parametrize("args", ["page:-1", "page:-38,page_size:10", f"page:{10**20}",
                                  "page:-1,order_direction:desc"])
@pytest.mark.parametrize("path", ["/api/v1/referral/", "/api/v1/school/", "/api/v1/audit/"])
def test_a_page_number_no_list_has_is_a_400(app, world, path, args):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'admin')}"}
    response = client.get(f"{path}?q=({args})", headers=headers)
    assert response.status_code == 400, (path, args, response.status_code, response.json)
    assert response.json == {"message": "The page number must be a whole number from 0.", "errors": {}}


@pytest.mark.parametrize("number", ["-3", "0", "abc", str(10**30), str(MAX_ID), "٣"])
def test_the_html_list_takes_any_page_number(app, world, number):
    staff = login(app.test_client(), "caseworker")
    response = staff.get(f"/referrals/?page={number}")
    assert response.status_code == 200, (number, response.status_code)
    assert b"Northfield" in response.data  # the one page there is: past the last shows the last
