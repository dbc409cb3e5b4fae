"""One mail path end to end against a real SMTP server on loopback (aiosmtpd): a county message
reaches the referral's creator with a link and no student data."""
from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from tests.conftest import api_token, make_config


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_county_message_mail_over_real_smtp(app, world, smtp):
    controller, inbox = smtp
    mailing_app = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False,
                                         MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1",
                                         MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="portal@county.example.org"))
    client = mailing_app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'caseworker')}"}
    response = client.post(f"/api/v1/referral/{world.own}/messages", json={"body": "Please call us."}, headers=headers)
    assert response.status_code == 201
    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    assert recipients == ["clerk@example.org"]
    assert f"/referrals/{world.own}" in content
    for secret in ("Nora", "Northfield", "Please call us.", "North Middle School"):
        assert secret not in content
