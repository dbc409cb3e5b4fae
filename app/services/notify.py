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


def link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail to ``to``; raises if the SMTP server refuses it."""
    if current_app.config.get("MAIL_SERVER") or current_app.testing:
        mail.send(Message(subject=subject, recipients=[to], body=body))
    else:
        log.info("Mail (no MAIL_SERVER set) to %s: %s\n%s", to, subject, body)
