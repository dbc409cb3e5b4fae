"""Messages between a school and the county on one referral: a thread, oldest first."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Message, Referral
from app.security import is_county_user, is_school_user, scope_for
from app.services import audit, notify
from app.services.errors import Forbidden, NotFound, ValidationFailed

MAX_LENGTH = 5000


def thread(referral: Referral) -> list[Message]:
    return db.session.scalars(
        select(Message).where(Message.referral_id == referral.id).order_by(Message.created_at, Message.id)
    ).all()


def post(referral: Referral, user, body: str | None) -> Message:
    """Add ``user``'s message to the thread; a county message notifies the referral's creator."""
    if not scope_for(user).allows(referral.school_id):
        raise NotFound(_("Not found."))
    if not (is_county_user(user) or is_school_user(user)):
        raise Forbidden(_("You may not write messages."))
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("The message is empty."), {"body": [_("Write a message.")]})
    if len(body) > MAX_LENGTH:
        raise ValidationFailed(_("The message is too long."),
                               {"body": [_("Use at most %(n)d characters.", n=MAX_LENGTH)]})
    message = Message(referral_id=referral.id, author_id=user.id, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record("message", "referral", referral.id, school_id=referral.school_id, detail={"message": message.id})
    if is_county_user(user):
        notify.referral_event(referral, "message")
    return message
