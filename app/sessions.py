"""Sessions and tokens (OWASP ASVS V3): a logout ends the session on the server, sessions
expire after 30 minutes idle and 12 hours in all, and deactivating a user, moving them to
another school or setting a new password ends their sessions and API tokens at once.

Every session and JWT carries the user's ``session_version``; bumping it invalidates them all.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, current_app, session
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy import event, update
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from app.database import get_row
from app.extensions import db
from app.models.user import PortalUser

log = logging.getLogger(__name__)


def bump_version(user_id: int) -> None:
    db.session.execute(update(PortalUser).where(PortalUser.id == user_id)
                       .values(session_version=PortalUser.session_version + 1)
                       .execution_options(synchronize_session=False))


def _on_login(app, user) -> None:
    now = time.time()
    session["sv"] = user.session_version
    session["login_at"] = session["seen"] = now


def _on_logout(app, user) -> None:
    if getattr(user, "id", None) is not None:
        bump_version(user.id)
        db.session.commit()
    session.clear()


def _enforce() -> None:
    """Before each request: a session that was revoked, idle too long or too old is ended."""
    if not current_user.is_authenticated:
        return
    now = time.time()
    config = current_app.config
    if session.get("sv") != getattr(current_user, "session_version", None):
        reason = "revoked"
    elif now - session.get("login_at", 0) > config["SESSION_ABSOLUTE_SECONDS"]:
        reason = "expired"
    elif now - session.get("seen", 0) > config["SESSION_IDLE_SECONDS"]:
        reason = "idle"
    else:
        if now - session.get("seen", 0) > 30:  # refresh the idle clock, not on every hit
            session["seen"] = now
        return
    log.info("Session ended (%s) for user %s", reason, current_user.id)
    logout_user()
    session.clear()


def _ends_sessions(target, value, oldvalue, initiator):
    """A change of school, of the active flag or of the password ends every session, and is
    audited (deactivation, reactivation, a move, a new password)."""
    if oldvalue in (NEVER_SET, NO_VALUE) or oldvalue == value or target.id is None:
        return
    target.session_version = (target.session_version or 0) + 1
    from app.services import audit

    action = {"active": "reactivate" if value else "deactivate", "school_id": "school_change",
              "password": "password_change"}[initiator.key]
    audit.record(action, "user", target.id, school_id=target.school_id)


def token_claims(identity) -> dict:
    user = get_row(PortalUser, identity)
    return {"sv": user.session_version if user else -1}


def token_user(sm, jwt_data):
    """The user of a JWT, if active and the token's session version is still current."""
    user = sm.load_user(jwt_data["sub"])
    if user is None or jwt_data.get("sv") != user.session_version:
        return None
    from flask import g

    g.user = user
    return user


def install(app: Flask) -> None:
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
    app.before_request(_enforce)
    for attribute in (PortalUser.school_id, PortalUser.active, PortalUser.password):
        if not event.contains(attribute, "set", _ends_sessions):
            # active_history: the old value is loaded even when the attribute was expired.
            event.listen(attribute, "set", _ends_sessions, active_history=True)
