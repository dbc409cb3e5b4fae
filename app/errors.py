"""HTTP errors in one place: JSON in the contract's shape under /api/, a plain page elsewhere.
Never a stack trace to a user."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from markupsafe import escape
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, HTTPException

from app.database import MAX_ID, as_id
from app.extensions import db
from app.services.errors import PortalError, ValidationFailed

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Sign in first."),
    403: _l("You may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This change conflicts with the referral's current state."),
    413: _l("The upload is too large."),
    422: _l("The request could not be processed."),
    429: _l("Too many requests; wait a moment and try again."),
    500: _l("Something went wrong on our side."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, message: str, errors: dict | None = None):
    if _wants_json():
        return jsonify({"message": message, "errors": errors or {}}), status
    try:
        page = render_template("portal/error.html", appbuilder=current_app.appbuilder,
                               status=status, message=message, errors=errors or {})
    except Exception:  # the page itself failed: answer plainly rather than not at all
        log.exception("Error page failed")
        page = f"<h1>{status}</h1><p>{escape(message)}</p>"
    return page, status


def _check_paging_args() -> None:
    """FAB turns ``page_*``/``psize_*`` arguments into ints unchecked (a 500 on ``abc``, or on a
    number whose OFFSET the database cannot take)."""
    for name, value in request.args.items():
        if name.startswith(("page_", "psize_")) and as_id(value) is None:
            raise BadRequest(_("Page arguments must be whole numbers."))


NUL_MESSAGE = _l("Remove the NUL character (\\0): no field can hold it.")


def _unstorable(value) -> str | None:
    """Why ``value`` (from a query string, form or JSON body) can be stored in no field, if so."""
    if isinstance(value, str):
        return str(NUL_MESSAGE) if "\x00" in value else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _("Enter a smaller number.") if abs(value) > MAX_ID else None
    if isinstance(value, dict):
        return next(filter(None, (_unstorable(k) or _unstorable(v) for k, v in value.items())), None)
    if isinstance(value, list):
        return next(filter(None, map(_unstorable, value)), None)
    return None


def _refuse_unstorable_input() -> None:
    """No field of the portal can hold a NUL character (PostgreSQL's text refuses it) or a whole
    number beyond its integer columns. A request carrying one anywhere -- a sign-in, a form, an
    API body -- is refused before anything reads it (422, the field named), instead of failing in
    the database (a 500). One rule for every view and API, FAB's included."""
    problems = {}
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append(request.form)
        if request.is_json:
            body = request.get_json(silent=True)
            sources.append(body if isinstance(body, dict) else {"body": body})
    for source in sources:
        items = source.items(multi=True) if hasattr(source, "getlist") else source.items()
        for name, value in items:
            problem = _unstorable(name) or _unstorable(value)
            if problem:
                problems.setdefault(str(name).replace("\x00", "\\0")[:64], [str(problem)])
    for name, upload in request.files.items(multi=True) if request.method == "POST" else ():
        if "\x00" in (upload.filename or ""):
            problems.setdefault(name, [str(NUL_MESSAGE)])
    if problems:
        raise ValidationFailed(_("Some fields hold values that cannot be stored."), problems)


def register_error_handlers(app: Flask) -> None:
    app.before_request(_check_paging_args)
    app.before_request(_refuse_unstorable_input)

    @app.errorhandler(PortalError)
    def portal_error(error: PortalError):
        db.session.rollback()
        return _respond(error.status, error.message, error.errors)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = str(MESSAGES.get(error.code, error.name))
        if error.code == 400 and error.description and "CSRF" in error.description:
            message = _("The form expired; reload the page and try again.")
        return _respond(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _respond(500, str(MESSAGES[500]))
