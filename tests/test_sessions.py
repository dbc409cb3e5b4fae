"""Sessions, tokens and login throttling (OWASP ASVS V2.2.1, V3.3.1, V3.3.2, V3.4)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, PortalUser, School
from tests.conftest import api_token, login
from tests.factories import PASSWORD, count_rows


def _user(app, username):
    with app.app_context():
        return db.session.scalar(select(PortalUser).where(PortalUser.username == username)).id


def test_a_cookie_copied_before_logout_no_longer_works(app, world):
    client = login(app.test_client(), "clerk")
    assert client.get("/referrals/").status_code == 200
    copied = client.get_cookie("session").value
    client.get("/logout/")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/referrals/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_and_absolute_timeouts(app, world):
    client = login(app.test_client(), "clerk")
    with client.session_transaction() as session:
        session["seen"] = time.time() - app.config["SESSION_IDLE_SECONDS"] - 1
    assert client.get("/referrals/").status_code == 302
    client = login(app.test_client(), "clerk")
    with client.session_transaction() as session:
        session["login_at"] = time.time() - app.config["SESSION_ABSOLUTE_SECONDS"] - 1
    assert client.get("/referrals/").status_code == 302
    client = login(app.test_client(), "clerk")
    with client.session_transaction() as session:
        session["seen"] = time.time() - app.config["SESSION_IDLE_SECONDS"] + 60
    assert client.get("/referrals/").status_code == 200


@pytest.mark.parametrize("change", ["deactivate", "move", "password"])
def test_deactivation_move_or_new_password_end_sessions_and_tokens(app, world, change):
    client = login(app.test_client(), "clerk")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'clerk')}"}
    assert api.get("/api/v1/referral/", headers=headers).status_code == 200
    with app.app_context():
        user = db.session.get(PortalUser, _user(app, "clerk"))
        if change == "deactivate":
            user.active = False
        elif change == "move":
            user.school_id = db.session.get(School, world.south).id
        else:
            from app.services.directory import hash_password

            user.password = hash_password("a brand new passphrase")
        db.session.commit()
    assert api.get("/api/v1/referral/", headers=headers).status_code == 401
    assert client.get("/referrals/").status_code == 302


def test_logout_ends_api_tokens_too(app, world):
    client = login(app.test_client(), "clerk")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'clerk')}"}
    client.get("/logout/")
    assert api.get("/api/v1/referral/", headers=headers).status_code == 401


def test_thirty_wrong_passwords_meet_a_429(app, world):
    client = app.test_client()
    statuses = [client.post("/login/", data={"username": "clerk", "password": f"wrong-{i}"}).status_code
                for i in range(30)]
    assert 429 in statuses
    blocked = client.post("/login/", data={"username": "clerk", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Per account: another address is refused too.
    other_ip = app.test_client()
    assert other_ip.post("/login/", data={"username": "clerk", "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 429
    api = app.test_client().post("/api/v1/security/login", json={"username": "clerk", "password": PASSWORD,
                                                                 "provider": "db"})
    assert api.status_code == 429 and set(api.json) == {"message", "errors"} and api.headers["Retry-After"]


def test_per_address_limit_covers_every_account(app, world):
    client = app.test_client()
    app.config["LOGIN_LIMIT_PER_IP"] = "5 per 15 minutes"
    try:
        statuses = [client.post("/login/", data={"username": f"someone{i}", "password": "x"}).status_code
                    for i in range(6)]
    finally:
        app.config["LOGIN_LIMIT_PER_IP"] = "100 per 15 minutes"
    assert statuses[-1] == 429 and 429 not in statuses[:5]


def test_same_answer_for_unknown_user_and_wrong_password(app, world):
    client = app.test_client()
    unknown = client.post("/login/", data={"username": "nobody-here", "password": "whatever-it-is"},
                          follow_redirects=True)
    wrong = client.post("/login/", data={"username": "clerk", "password": "whatever-it-is"},
                        follow_redirects=True)
    assert b"Invalid login" in unknown.data and b"Invalid login" in wrong.data
    api_unknown = client.post("/api/v1/security/login", json={"username": "nobody", "password": "x", "provider": "db"})
    api_wrong = client.post("/api/v1/security/login", json={"username": "clerk", "password": "x", "provider": "db"})
    assert api_unknown.status_code == api_wrong.status_code == 401
    assert api_unknown.json == api_wrong.json


def test_logins_are_audited(app, world):
    login(app.test_client(), "clerk")
    app.test_client().post("/login/", data={"username": "clerk", "password": "not the password"})
    assert count_rows(app, AuditEvent, action="login", object_id=_user(app, "clerk")) == 1
    assert count_rows(app, AuditEvent, action="login_failed") == 1


def test_own_password_reset_follows_the_policy(app, world):
    client = login(app.test_client(), "clerk")
    weak = client.post("/resetmypassword/form", data={"password": "short", "conf_password": "short"})
    assert b"Use at least 12 characters." in weak.data
    with_name = client.post("/resetmypassword/form", data={"password": "clerk-and-more-words",
                                                            "conf_password": "clerk-and-more-words"})
    assert b"must not contain the username" in with_name.data
    ok = client.post("/resetmypassword/form", data={"password": "a fine long passphrase",
                                                     "conf_password": "a fine long passphrase"})
    assert ok.status_code == 302
    assert count_rows(app, AuditEvent, action="password_change") == 1


def test_admin_deactivation_and_reactivation_are_audited(app, world):
    with app.app_context():
        user = db.session.get(PortalUser, _user(app, "clerk"))
        user.active = False
        db.session.commit()
        user.active = True
        db.session.commit()
    assert count_rows(app, AuditEvent, action="deactivate") == 1
    assert count_rows(app, AuditEvent, action="reactivate") == 1


@pytest.mark.parametrize("days,dormant", [(179, False), (181, True)])
def test_accounts_unused_for_180_days(app, world, days, dormant):
    import datetime as dt

    from app.clock import now
    from app.services.accounts import deactivate_dormant

    with app.app_context():
        for user in db.session.scalars(select(PortalUser)).unique():
            user.last_login = now()
        clerk = db.session.get(PortalUser, _user(app, "clerk"))
        clerk.last_login = now() - dt.timedelta(days=days)
        db.session.commit()
    page = login(app.test_client(), "admin").get("/users/list/").data.decode()
    assert ("⚠" in page) is dormant
    with app.app_context():
        assert deactivate_dormant() == (1 if dormant else 0)
        db.session.commit()
    assert count_rows(app, PortalUser, username="clerk", active=not dormant) == 1


def test_admin_resends_a_set_password_link(app, world):
    from app.extensions import mail

    admin = login(app.test_client(), "admin")
    with mail.record_messages() as outbox:
        admin.post("/users/action_post", data={"action": "resend_link", "rowid": [_user(app, "clerk")]})
    assert len(outbox) == 1 and "/set-password/" in outbox[0].body and outbox[0].recipients == ["clerk@example.org"]
