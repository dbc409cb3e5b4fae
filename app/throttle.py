"""Login throttling per account and per client address (Flask-Limiter's storage: memory by
default, Redis when RATELIMIT_STORAGE_URI says so, so that several app servers share the
count). Over the limit, a login answers 429 with Retry-After, for the form and the API alike.

The counts live in the Limiter that FAB's security manager creates and binds to the app (from
the same RATELIMIT_* settings): a second Limiter would add its own per-request hooks for no
limit at all."""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import parse

LOGIN_ENDPOINTS = {"AuthDBView.login", "SecurityApi.login"}
#: Public forms: throttled per address only.
PUBLIC_ENDPOINTS = {"PublicAccountView.request_access", "PublicAccountView.forgot_password",
                    "PublicAccountView.set_password", "AccessRequestApi.create"}


def _limiter():
    return current_app.appbuilder.sm.limiter


def reset() -> None:
    """Forget every count (tests: each starts afresh)."""
    _limiter().reset()


def _account() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return str(name or "").strip().lower()[:128]


def _check():
    if request.method != "POST" or request.endpoint not in LOGIN_ENDPOINTS | PUBLIC_ENDPOINTS:
        return None
    strategy = _limiter().limiter
    if request.endpoint in PUBLIC_ENDPOINTS:
        checks = [(parse(current_app.config["PUBLIC_FORM_LIMIT_PER_IP"]), "public-ip", get_remote_address())]
    else:
        checks = [(parse(current_app.config["LOGIN_LIMIT_PER_IP"]), "login-ip", get_remote_address())]
        account = _account()
        if account:
            checks.append((parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]), "login-account", account))
    blocked_until = 0.0
    for item, scope, key in checks:
        if not strategy.hit(item, scope, key):
            window_reset, _remaining = strategy.get_window_stats(item, scope, key)
            blocked_until = max(blocked_until, window_reset)
    if not blocked_until:
        return None
    retry = str(max(1, math.ceil(blocked_until - time.time())))
    message = (_("Too many sign-in attempts. Wait a few minutes and try again.")
               if request.endpoint in LOGIN_ENDPOINTS else _("Too many requests; wait a moment and try again."))
    if request.path.startswith("/api/"):
        response = jsonify({"message": message, "errors": {}})
    else:
        from flask import current_app as app

        response = app.make_response(render_template("portal/error.html", appbuilder=app.appbuilder,
                                                      status=429, message=message))
    response.status_code = 429
    response.headers["Retry-After"] = retry
    return response


def install(app: Flask) -> None:
    app.before_request(_check)
