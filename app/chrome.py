"""The page chrome every HTML page shares, drawn once and reused: FAB's navbar per kind of
visitor, and FAB's stylesheet and script tags.

FAB's navbar asks a permission for every menu item and builds every link with ``url_for`` on
every page. What it shows depends only on the visitor's roles (which items they may open), the
name shown in the user menu, the language and the application's root URL, so the portal keeps
the rendered navbar per such key for ``PORTAL_PERMISSIONS_TTL`` seconds -- the time for which
permissions are cached anyway -- and renders it afresh when the TTL is 0 (as the tests do).
The asset tags (17 more ``url_for`` calls) depend on the root URL alone; they are drawn afresh
whenever a CSP nonce is in use. ``portal/base.html`` (``FAB_BASE_TEMPLATE``) puts both in place.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup

NAVBAR_TEMPLATE = "appbuilder/navbar.html"
MAX_ENTRIES = 4096  # one per role set, name and language in use: never near this


def _cache() -> dict:
    return current_app.extensions.setdefault("portal_chrome", {})


def forget() -> None:
    """Drop what this app has cached (tests)."""
    _cache().clear()


def _navbar_key(user) -> tuple:
    locale = (str(get_locale() or ""), session.get("locale"))  # the flag shown is the session's
    if user is None or not getattr(user, "is_authenticated", False):
        return ("navbar", "anonymous", locale, request.script_root)
    roles = tuple(sorted(role.id for role in user.roles or ()))
    return ("navbar", roles, user.get_full_name(), locale, request.script_root)


@pass_context
def navbar(context) -> Markup:
    """FAB's ``appbuilder/navbar.html``, rendered with the page's context or taken from the cache."""
    template = current_app.jinja_env.get_template(NAVBAR_TEMPLATE)
    ttl = current_app.config.get("PORTAL_PERMISSIONS_TTL", 0)
    if not ttl:
        return Markup(template.render(context.get_all()))
    cache, key, now = _cache(), _navbar_key(g.get("user")), time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    html = Markup(template.render(context.get_all()))
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = (now + ttl, html)
    return html


@pass_context
def assets(context, block: str, draw) -> Markup:
    """A block of FAB's asset tags (``draw`` is the block's ``super``), drawn once per root URL."""
    if "csp_nonce" in context:  # a nonce per response: never reuse the tags
        return Markup(draw())
    cache, key = _cache(), ("assets", block, request.script_root)
    html = cache.get(key)
    if html is None:
        html = cache[key] = Markup(draw())
    return html


def install(app: Flask) -> None:
    app.jinja_env.globals.update(portal_navbar=navbar, portal_assets=assets)
