"""Single-use, expiring links to set a password (after an approval, or a forgotten password).

A link is signed with SECRET_KEY and names the user and their current session version; setting
the password bumps that version, so a link works once. It expires after 72 hours.
"""
from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.extensions import db
from app.models import PortalUser
from app.services import audit, notify
from app.services.directory import hash_password
from app.services.errors import Collector, ValidationFailed
from app.services.passwords import password_problems

LINK_HOURS = 72


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal-set-password")


def make_link(user: PortalUser) -> str:
    token = _serializer().dumps({"u": user.id, "v": user.session_version})
    return notify.link(f"/set-password/{token}")


def user_for_token(token: str) -> PortalUser:
    """The user a link is for, while it is fresh and unused; ``ValidationFailed`` otherwise."""
    try:
        data = _serializer().loads(token, max_age=LINK_HOURS * 3600)
    except SignatureExpired:
        raise ValidationFailed(_("This link has expired. Ask for a new one."), {"token": [_("Expired.")]}) from None
    except BadSignature:
        raise ValidationFailed(_("This link is not valid."), {"token": [_("Not valid.")]}) from None
    user = db.session.get(PortalUser, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or user.session_version != data.get("v"):
        raise ValidationFailed(_("This link was already used or is no longer valid. Ask for a new one."),
                               {"token": [_("Used.")]})
    return user


def set_password(token: str, password: str, confirm: str) -> PortalUser:
    user = user_for_token(token)
    errors = Collector()
    for problem in password_problems(password or "", user.username):
        errors.add("password", problem)
    if password != confirm:
        errors.add("confirm", _("The two passwords differ."))
    errors.raise_if_any(_("The password was not set."))
    user.password = hash_password(password)  # also ends the user's sessions and this link
    db.session.flush()
    audit.record("password_set", "user", user.id, school_id=user.school_id, actor=user)
    return user


def send_set_password_link(user: PortalUser, reason: str = "welcome") -> None:
    link = make_link(user)
    if reason == "welcome":
        subject = _("Your access to the truancy referral portal")
        body = _("Your request for access was approved. Your username is %(username)s.\n\nSet your password "
                 "here within %(hours)d hours:\n%(link)s\n", username=user.username, hours=LINK_HOURS, link=link)
    else:
        subject = _("Set a new password for the truancy referral portal")
        body = _("Someone asked to reset the password of %(username)s. If it was you, set a new password "
                 "here within %(hours)d hours:\n%(link)s\n\nIf it was not you, ignore this mail.",
                 username=user.username, hours=LINK_HOURS, link=link)
    notify.queue(user.email, subject, body)


def forgot_password(identifier: str) -> None:
    """Mail a reset link to the active user with this username or email, if one exists; the
    caller answers the same either way, so the form reveals nothing about accounts."""
    identifier = (identifier or "").strip().lower()
    if not identifier:
        return
    user = db.session.scalar(select(PortalUser).where(
        (func.lower(PortalUser.username) == identifier) | (func.lower(PortalUser.email) == identifier)))
    if user is not None and user.active:
        send_set_password_link(user, reason="reset")
        audit.record("password_reset_requested", "user", user.id, school_id=user.school_id, actor=user)


def unusable_password() -> str:
    return hash_password(secrets.token_urlsafe(32))


DORMANT_DAYS = 180


def is_dormant(user) -> bool:
    import datetime as dt

    from app.clock import now

    since = user.last_login or user.created_on
    return bool(user.active and since and now() - since > dt.timedelta(days=DORMANT_DAYS))


def deactivate_dormant() -> int:
    """The daily job: deactivate accounts unused for 180 days (sessions end with it)."""
    users = db.session.scalars(select(PortalUser).where(PortalUser.active.is_(True))).unique().all()
    count = 0
    for user in users:
        if is_dormant(user):
            user.active = False
            count += 1
    db.session.flush()
    return count
