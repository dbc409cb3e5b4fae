"""The page chrome every HTML page shares: FAB's navbar, rendered once per kind of visitor.

FAB's navbar asks a permission for every menu item and builds every link with ``url_for`` on
every page. What it shows depends only on the visitor's roles (which items they may open), the
name shown in the user menu, the language and the application's root URL, so the portal keeps
the rendered navbar per such key for ``PORTAL_PERMISSIONS_TTL`` seconds -- the time for which
permissions are cached anyway -- and renders it afresh when the TTL is 0 (as the tests do).
``portal/base.html`` (``FAB_BASE_TEMPLATE``) puts it in place of FAB's include.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup

NAVBAR_TEMPLATE = "appbuilder/navbar.html"
MAX_ENTRIES = 4096  # one per role set, name and language in use: never near this

_cache: dict = {}


def _key(user) -> tuple:
    locale = (str(get_locale() or ""), session.get("locale"))  # the flag shown is the session's
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous", locale, request.script_root)
    roles = tuple(sorted(role.id for role in user.roles or ()))
    return (roles, user.get_full_name(), locale, request.script_root)


@pass_context
def navbar(context) -> Markup:
    """FAB's ``appbuilder/navbar.html``, rendered with the page's context or taken from the cache."""
    template = current_app.jinja_env.get_template(NAVBAR_TEMPLATE)
    ttl = current_app.config.get("PORTAL_PERMISSIONS_TTL", 0)
    if not ttl:
        return Markup(template.render(context.get_all()))
    key = _key(g.get("user"))
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    html = Markup(template.render(context.get_all()))
    if len(_cache) >= MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (now + ttl, html)
    return html


def install(app: Flask) -> None:
    app.jinja_env.globals["portal_navbar"] = navbar
