"""Outgoing mail. Mail carries a link, never a student's name or other student data.

With ``MAIL_SERVER`` set (or under tests, where Flask-Mail records an outbox) mail goes through
Flask-Mail; otherwise it is written to the log, so a machine without SMTP still works.
"""
from __future__ import annotations

import logging

from flask import current_app
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger(__name__)


def queue(to: str, subject: str, body: str) -> None:
    """Send this mail once the current transaction commits (never if it rolls back); a failure
    to send is logged and does not undo the change it reports."""
    from app.extensions import db

    db.session.info.setdefault("portal_outbox", []).append((to, subject, body))


def _send_queued(session) -> None:
    for to, subject, body in session.info.pop("portal_outbox", []):
        try:
            send(to, subject, body)
        except Exception:  # noqa: BLE001 - the change is committed; the mail is best effort
            log.exception("Could not send mail to %s: %s", to, subject)


def _drop_queued(session, previous_transaction=None) -> None:
    session.info.pop("portal_outbox", None)


def install_outbox() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _send_queued):
        event.listen(Session, "after_commit", _send_queued)
        event.listen(Session, "after_soft_rollback", _drop_queued)


def link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail to ``to``; raises if the SMTP server refuses it."""
    if current_app.config.get("MAIL_SERVER") or current_app.testing:
        mail.send(Message(subject=subject, recipients=[to], body=body))
    else:
        log.info("Mail (no MAIL_SERVER set) to %s: %s\n%s", to, subject, body)


def _creator_email(referral) -> str | None:
    from app.extensions import db
    from app.models import PortalUser

    if referral.created_by_id is None:
        return None
    user = db.session.get(PortalUser, referral.created_by_id)
    return user.email if user is not None and user.active else None


def referral_event(referral, event: str, status_label=None) -> None:
    """Tell the school user who created ``referral`` that its status changed or a county message
    arrived, and the county's intake address that a referral was submitted. Mail holds the
    referral's number and a link only."""
    from flask_babel import gettext as _

    url = link(f"/referrals/{referral.id}")
    if event == "submitted":
        intake = current_app.config.get("COUNTY_INTAKE_EMAIL")
        if intake:
            queue(intake, _("New truancy referral #%(id)d submitted", id=referral.id),
                 _("A school submitted truancy referral #%(id)d. Open it here:\n%(link)s\n",
                   id=referral.id, link=url))
        return
    to = _creator_email(referral)
    if not to:
        return
    if event == "message":
        queue(to, _("New message from the county on referral #%(id)d", id=referral.id),
             _("County staff wrote a message on truancy referral #%(id)d. Read it here:\n%(link)s\n",
               id=referral.id, link=url))
    else:
        queue(to, _("Referral #%(id)d is now %(status)s", id=referral.id, status=status_label),
             _("The status of truancy referral #%(id)d changed to %(status)s. See it here:\n%(link)s\n",
               id=referral.id, status=status_label, link=url))
