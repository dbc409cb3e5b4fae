"""Access requests end to end (real SMTP on loopback), the county's queue, password links."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AccessRequest, AuditEvent, PortalUser
from app.services import accounts
from tests.conftest import api_token, login, make_config
from tests.factories import PASSWORD, count_rows
from tests.test_mail_smtp import smtp  # noqa: F401  (the aiosmtpd fixture)

FORM = {"first_name": "Dana", "last_name": "Quill", "email": "Dana.Quill@district.example.org",
        "phone": "651-555-0170", "job_title": "Attendance clerk", "reason": "I file our truancy referrals."}


def _link(text: str) -> str:
    return re.search(r"/set-password/[\w.\-]+", text.replace("=\n", "")).group(0)


def test_request_approve_set_password_and_sign_in_over_real_smtp(app, world, smtp):  # noqa: F811
    controller, inbox = smtp
    mailing = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False, MAIL_SUPPRESS_SEND=False,
                                     MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, WTF_CSRF_ENABLED=False,
                                     MAIL_DEFAULT_SENDER="portal@county.example.org"))
    public = mailing.test_client()
    assert b'id="request-access"' in public.get("/login/").data
    sent = public.post("/request-access", data={**FORM, "school_id": world.north})
    assert sent.status_code == 200 and b"request-sent" in sent.data
    assert [to for to, _ in inbox.messages] == [["admin@example.org"]]  # the county admins are told
    assert "/access-requests/" in inbox.messages[0][1]

    admin = login(mailing.test_client(), "admin")
    queue = admin.get("/access-requests/").data.decode()
    assert "Dana" in queue and "Attendance clerk" in queue
    with mailing.app_context():
        request_id = db.session.scalar(select(AccessRequest.id))
    admin.post(f"/access-requests/{request_id}/approve")
    admin.post(f"/access-requests/{request_id}/approve")  # twice: still one user
    assert count_rows(app, PortalUser, email="dana.quill@district.example.org", school_id=world.north) == 1
    to, content = inbox.messages[-1]
    assert to == ["dana.quill@district.example.org"] and "dana.quill" in content
    link = _link(content)

    weak = public.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 422 and b"at least 12" in weak.data
    assert public.post(link, data={"password": "a long school passphrase", "confirm": "a long school passphrase"}
                       ).status_code == 302
    assert public.post(link, data={"password": "another long passphrase", "confirm": "another long passphrase"}
                       ).status_code == 400  # single use
    signed_in = mailing.test_client().post("/login/", data={"username": "dana.quill",
                                                            "password": "a long school passphrase"})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"]


def test_deny_needs_a_note_and_mails_it(app, world):
    from app.extensions import mail

    client = app.test_client()
    client.post("/request-access", data={**FORM, "school_id": world.north})
    with app.app_context():
        request_id = db.session.scalar(select(AccessRequest.id))
    admin = login(app.test_client(), "admin")
    admin.post(f"/access-requests/{request_id}/deny", data={"note": " "})
    assert count_rows(app, AccessRequest, status="pending") == 1
    with mail.record_messages() as outbox:
        admin.post(f"/access-requests/{request_id}/deny", data={"note": "Please ask your principal first."})
    assert count_rows(app, AccessRequest, status="denied") == 1
    assert outbox[0].recipients == ["dana.quill@district.example.org"] and "principal" in outbox[0].body
    assert admin.post(f"/access-requests/{request_id}/approve", follow_redirects=True).status_code == 200
    assert count_rows(app, PortalUser, email="dana.quill@district.example.org") == 0
    assert count_rows(app, AuditEvent, action="access_denied") == 1


@pytest.mark.parametrize("change,field", [
    ({"email": "not-an-email"}, b"Enter a valid email address."),
    ({"first_name": ""}, b"Enter your first name."),
    ({"school_id": "999999"}, b"Choose your school."),
])
def test_request_form_refusals(app, world, change, field):
    response = app.test_client().post("/request-access", data={**FORM, "school_id": world.north, **change})
    assert response.status_code == 422 and field in response.data
    assert count_rows(app, AccessRequest) == 0


def test_inactive_schools_are_not_offered(app, world):
    with app.app_context():
        from app.models import School

        db.session.get(School, world.south).active = False
        db.session.commit()
    page = app.test_client().get("/request-access").data.decode()
    assert "North Middle School" in page and "South High School" not in page


def test_public_api_and_admin_api(app, world):
    client = app.test_client()
    created = client.post("/api/v1/access-request/", json={**FORM, "school_id": world.north})
    assert created.status_code == 201
    bad = client.post("/api/v1/access-request/", json={**FORM, "school_id": "x", "email": 5})
    assert bad.status_code == 422 and {"school_id", "email"} <= set(bad.json["errors"])
    for username, expected in (("caseworker", 403), ("clerk", 403)):
        headers = {"Authorization": f"Bearer {api_token(client, username)}"}
        assert client.get("/api/v1/access-request/", headers=headers).status_code == expected
        assert client.post(f"/api/v1/access-request/{created.json['id']}/approve", headers=headers).status_code == expected
    admin = {"Authorization": f"Bearer {api_token(client, 'admin')}"}
    queue = client.get("/api/v1/access-request/", headers=admin).json["result"]
    assert queue[0]["status"] == "pending" and queue[0]["business_days"] == 0
    assert client.post(f"/api/v1/access-request/{created.json['id']}/deny", json={}, headers=admin).status_code == 422
    approved = client.post(f"/api/v1/access-request/{created.json['id']}/approve", headers=admin)
    again = client.post(f"/api/v1/access-request/{created.json['id']}/approve", headers=admin)
    assert approved.status_code == again.status_code == 200
    assert approved.json["user"] == again.json["user"]
    assert client.post("/api/v1/access-request/999999/approve", headers=admin).status_code == 404


def test_public_forms_are_throttled_per_address(app, world):
    client = app.test_client()
    statuses = [client.post("/request-access", data={**FORM, "first_name": ""}).status_code for _ in range(11)]
    assert statuses[-1] == 429 and 429 not in statuses[:10]


def test_forgot_password_answers_the_same_and_mails_only_real_accounts(app, world):
    from app.extensions import mail

    client = app.test_client()
    with mail.record_messages() as outbox:
        known = client.post("/forgot-password", data={"identifier": "clerk"}, follow_redirects=True)
        unknown = client.post("/forgot-password", data={"identifier": "nobody@nowhere.example"}, follow_redirects=True)
    assert b"If an account matches" in known.data and b"If an account matches" in unknown.data
    assert len(outbox) == 1 and outbox[0].recipients == ["clerk@example.org"]
    link = _link(outbox[0].body)
    assert client.post(link, data={"password": "clerk-password-new-1", "confirm": "clerk-password-new-1"}
                       ).status_code == 422  # contains the username
    assert client.post(link, data={"password": "qwerty123456", "confirm": "qwerty123456"}).status_code == 422
    assert client.post(link, data={"password": "x" * 129, "confirm": "x" * 129}).status_code == 422
    assert client.post(link, data={"password": "y" * 128, "confirm": "y" * 128}).status_code == 302


def test_expired_and_forged_links(app, world, monkeypatch):
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "clerk"))
        link = accounts.make_link(user)
    path = link[link.index("/set-password/"):]
    client = app.test_client()
    assert client.get(path).status_code == 200
    monkeypatch.setattr(accounts, "LINK_HOURS", -1)
    assert client.get(path).status_code == 400
    monkeypatch.setattr(accounts, "LINK_HOURS", 72)
    assert client.get(path[:-3] + "xyz").status_code == 400


def test_the_old_password_stops_working_after_a_reset(app, world):
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "clerk"))
        link = accounts.make_link(user)
    client = app.test_client()
    client.post(link[link.index("/set-password/"):], data={"password": "brand new passphrase", "confirm": "brand new passphrase"})
    assert "/login/" in client.post("/login/", data={"username": "clerk", "password": PASSWORD}).headers["Location"]
