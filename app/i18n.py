"""Translations in templates, looked up once per request.

Flask-Babel finds the request's catalog again on every ``_()`` of a template (about 60 per
page). The catalog is fixed for a request, so templates get gettext callables that fetch it
once per request and then only look strings up. Same catalogs, same results."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations


def _translations():
    translations = g.get("_portal_translations")
    if translations is None:
        translations = g._portal_translations = get_translations()
    return translations


def _gettext(string):
    return _translations().ugettext(string)


def _ngettext(singular, plural, num):
    return _translations().ungettext(singular, plural, num)


def ngettext(singular, plural, num, **variables):
    """Flask-Babel's ``ngettext`` for Python code that runs many times a request (list rows):
    the same result, with the catalog looked up once per request."""
    variables.setdefault("num", num)
    return _ngettext(singular, plural, num) % variables


def install(app: Flask) -> None:
    # Jinja's newstyle wrappers add escaping and %-formatting around these.
    app.jinja_env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
