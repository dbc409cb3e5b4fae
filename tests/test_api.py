"""The REST API of contract section 3: sub-resources, the status lifecycle, messages, mail."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db, mail
from app.models import PortalUser
from app.services.demo_pdf import make_pdf
from tests.conftest import api_token


def bearer(app, username):
    client = app.test_client()
    return client, {"Authorization": f"Bearer {api_token(client, username)}"}


# Every sub-resource, as (method, path template, body); {0} is the referral, {1} an attachment.
ENDPOINTS = [
    ("GET", "/api/v1/referral/{0}", None),
    ("GET", "/api/v1/referral/{0}/family", None),
    ("POST", "/api/v1/referral/{0}/family", {"name": "X", "phone_cell": "651-555-0100"}),
    ("GET", "/api/v1/referral/{0}/interventions", None),
    ("POST", "/api/v1/referral/{0}/interventions", {"kind": "tutoring_mentoring"}),
    ("GET", "/api/v1/referral/{0}/attachments", None),
    ("GET", "/api/v1/referral/{0}/attachments/{1}", None),
    ("GET", "/api/v1/referral/{0}/messages", None),
    ("POST", "/api/v1/referral/{0}/messages", {"body": "Hello"}),
    ("GET", "/api/v1/referral/{0}/history", None),
    ("POST", "/api/v1/referral/{0}/transition", {"to": "withdrawn", "note": "x"}),
    ("POST", "/api/v1/referral/{0}/submit", None),
    ("PUT", "/api/v1/referral/{0}", {"student_first_name": "X"}),
    ("DELETE", "/api/v1/referral/{0}", None),
]


@pytest.mark.parametrize("method,path,body", ENDPOINTS)
def test_every_endpoint_answers_404_for_another_schools_referral(app, world, method, path, body):
    client, headers = bearer(app, "clerk")
    response = client.open(path.format(world.other, world.other_attachment), method=method, json=body,
                           headers=headers)
    assert response.status_code == 404
    assert response.json == {"message": "Not found.", "errors": {}}


@pytest.mark.parametrize("method,path,body", ENDPOINTS)
def test_every_endpoint_needs_a_token(app, world, method, path, body):
    response = app.test_client().open(path.format(world.own, world.own_attachment), method=method, json=body)
    assert response.status_code == 401 and set(response.json) == {"message", "errors"}


def test_sub_resources_for_the_own_school(app, world):
    client, headers = bearer(app, "clerk")
    base = f"/api/v1/referral/{world.own}"
    assert client.get(base + "/family", headers=headers).json["result"][0]["name"] == "Parent of Nora"
    added = client.post(base + "/family", json={"name": "Rosa", "phone_home": "651-555-0111"}, headers=headers)
    assert added.status_code == 201 and added.json["result"]["name"] == "Rosa"
    bad = client.post(base + "/family", json={"name": "No phone"}, headers=headers)
    assert bad.status_code == 422 and "phone_cell" in bad.json["errors"]
    dated = client.post(base + "/interventions", json={"kind": "referral_letter"}, headers=headers)
    assert dated.status_code == 422 and "referral_letter" in dated.json["errors"]
    ok = client.post(base + "/interventions", json={"kind": "referral_letter", "date": "2026-10-20"}, headers=headers)
    assert ok.status_code == 201
    unknown = client.post(base + "/interventions", json={"kind": "magic"}, headers=headers)
    assert unknown.status_code == 422 and "kind" in unknown.json["errors"]
    upload = client.post(base + "/attachments", headers=headers, content_type="multipart/form-data",
                         data={"kind": "services_plan", "file": (io.BytesIO(make_pdf("plan")), "plan.pdf")})
    assert upload.status_code == 201 and upload.json["result"]["filename"] == "plan.pdf"
    refused = client.post(base + "/attachments", headers=headers, content_type="multipart/form-data",
                          data={"kind": "other", "file": (io.BytesIO(b"<html>"), "x.pdf")})
    assert refused.status_code == 422 and "file" in refused.json["errors"]
    listing = client.get(base + "/attachments", headers=headers).json["result"]
    assert sorted(a["kind"] for a in listing) == ["attendance_record", "services_plan"]
    pdf = client.get(base + f"/attachments/{upload.json['id']}", headers=headers)
    assert pdf.data.startswith(b"%PDF-") and pdf.headers["Content-Disposition"].startswith("attachment")
    not_json = client.post(base + "/messages", data="hello", headers=headers)
    assert not_json.status_code == 422 and not_json.json["errors"]


def _complete_referral(app, world) -> int:
    from app.models import School, SchoolYear
    from tests import factories

    with app.app_context():
        clerk = db.session.scalar(select(PortalUser).where(PortalUser.username == "clerk"))
        referral = factories.complete_referral(db.session.get(School, world.north),
                                               db.session.get(SchoolYear, world.year), clerk,
                                               first="Lia", last="Lifecycle")
        db.session.commit()
        return referral.id


def _move(client, headers, referral_id, **body):
    return client.post(f"/api/v1/referral/{referral_id}/transition", json=body, headers=headers)


def test_the_whole_lifecycle_through_the_api(app, world):
    referral_id = _complete_referral(app, world)
    clerk, school = bearer(app, "clerk")
    staff, county = bearer(app, "caseworker")
    with app.app_context():
        caseworker_id = db.session.scalar(select(PortalUser.id).where(PortalUser.username == "caseworker"))
        clerk_id = db.session.scalar(select(PortalUser.id).where(PortalUser.username == "clerk"))

    with mail.record_messages() as outbox:
        assert clerk.post(f"/api/v1/referral/{referral_id}/submit", headers=school).status_code == 200
    assert [m.recipients for m in outbox] == [["intake@county.example.org"]]

    assert _move(clerk, school, referral_id, to="under_review").status_code == 403  # school never reviews
    assert _move(staff, county, referral_id, to="accepted").status_code == 409      # not from submitted
    assert _move(staff, county, referral_id, to="withdrawn", note="x").status_code == 403
    assert _move(staff, county, referral_id, to="returned").status_code == 422      # a note is needed
    with mail.record_messages() as outbox:
        returned = _move(staff, county, referral_id, to="returned", note="Attach the full term's record.")
    assert returned.status_code == 200 and returned.json["result"]["status"] == "returned"
    assert outbox[0].recipients == ["clerk@example.org"] and "Lifecycle" not in outbox[0].body

    assert clerk.put(f"/api/v1/referral/{referral_id}", json={"tardies": 4}, headers=school).status_code == 200
    assert _move(clerk, school, referral_id, to="submitted").status_code == 200     # resubmit
    assert _move(staff, county, referral_id, to="under_review").status_code == 200
    assert _move(staff, county, referral_id, to="accepted", assigned_to=clerk_id).status_code == 422
    accepted = _move(staff, county, referral_id, to="accepted", assigned_to=caseworker_id)
    assert accepted.status_code == 200
    assert _move(staff, county, referral_id, to="declined", note="x").status_code == 409
    assert _move(staff, county, referral_id, to="closed").status_code == 422        # a reason is needed
    assert _move(staff, county, referral_id, to="closed", reason="bored").status_code == 422
    assert _move(staff, county, referral_id, to="closed", reason="improved").status_code == 200
    assert _move(staff, county, referral_id, to="nonsense").status_code == 422

    history = clerk.get(f"/api/v1/referral/{referral_id}/history", headers=school).json["result"]
    moves = [(h["from"], h["to"]) for h in history]
    assert moves == [("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
                     ("submitted", "under_review"), ("under_review", "accepted"), ("accepted", "closed")]
    assert history[1]["note"] == "Attach the full term's record." and history[-1]["reason"] == "improved"
    assert all(h["by"] and h["at"] for h in history)


def test_withdraw_and_decline(app, world):
    referral_id = _complete_referral(app, world)
    clerk, school = bearer(app, "clerk")
    staff, county = bearer(app, "caseworker")
    clerk.post(f"/api/v1/referral/{referral_id}/submit", headers=school)
    assert _move(clerk, school, referral_id, to="withdrawn").status_code == 422
    assert _move(clerk, school, referral_id, to="withdrawn", note="Family moved away.").status_code == 200
    assert _move(clerk, school, referral_id, to="submitted").status_code == 409
    assert clerk.put(f"/api/v1/referral/{referral_id}", json={"tardies": 1}, headers=school).status_code == 409


def test_messages_thread_and_mail(app, world):
    clerk, school = bearer(app, "clerk")
    staff, county = bearer(app, "caseworker")
    path = f"/api/v1/referral/{world.own}/messages"
    assert clerk.post(path, json={"body": "We tried a home visit."}, headers=school).status_code == 201
    with mail.record_messages() as outbox:
        assert staff.post(path, json={"body": "Thanks, please attach the plan."}, headers=county).status_code == 201
    thread = clerk.get(path, headers=school).json["result"]
    assert [m["body"] for m in thread] == ["We tried a home visit.", "Thanks, please attach the plan."]
    assert [m["author_role"] for m in thread] == ["school", "county"]
    assert len(outbox) == 1 and outbox[0].recipients == ["clerk@example.org"]
    assert "Nora" not in outbox[0].body and "Northfield" not in outbox[0].body and "/referrals/" in outbox[0].body
    empty = clerk.post(path, json={"body": "   "}, headers=school)
    assert empty.status_code == 422


def test_a_failed_move_sends_no_mail(app, world):
    staff, county = bearer(app, "caseworker")
    with mail.record_messages() as outbox:
        assert _move(staff, county, world.own, to="returned", note="x").status_code == 409
    assert outbox == []


@pytest.mark.parametrize("username,expected", [("admin", 200), ("caseworker", 403), ("clerk", 403)])
def test_audit_log_is_county_admin_only_and_read_only(app, world, username, expected):
    client, headers = bearer(app, username)
    listing = client.get("/api/v1/audit/", headers=headers)
    assert listing.status_code == expected
    for method in ("POST", "PUT", "DELETE"):
        target = "/api/v1/audit/" if method == "POST" else "/api/v1/audit/1"
        assert client.open(target, method=method, json={"action": "x"}, headers=headers).status_code in (404, 405)
    page = app.test_client()
    from tests.conftest import login

    login(page, username)
    assert page.get("/auditview/list/").status_code == expected
    assert page.get("/auditview/delete/1").status_code in (403, 404, 405)


def test_audit_log_filters(app, world):
    client, headers = bearer(app, "clerk")
    client.get(f"/api/v1/referral/{world.own}/attachments/{world.own_attachment}", headers=headers)
    admin, admin_headers = bearer(app, "admin")
    rison = "(filters:!((col:action,opr:eq,value:download)))"
    result = admin.get(f"/api/v1/audit/?q={rison}", headers=admin_headers).json
    assert result["count"] == 1 and result["result"][0]["actor_username"] == "clerk"
    assert result["result"][0]["school_id"] == world.north


@pytest.mark.parametrize("username", ["admin", "caseworker", "clerk"])
def test_schools_list(app, world, username):
    client, headers = bearer(app, username)
    names = [s["name"] for s in client.get("/api/v1/school/", headers=headers).json["result"]]
    assert names == ["North Middle School", "South High School"]
    assert client.post("/api/v1/school/", json={"name": "X"}, headers=headers).status_code == 405


@pytest.mark.parametrize("query,status", [
    ("(page_size:5)", 200),
    ("(page_size:'five')", 400),
    ("(order_direction:sideways)", 400),
    ("(not rison", 400),
])
def test_rison_arguments_are_still_validated(app, world, query, status):
    client, headers = bearer(app, "caseworker")
    response = client.get(f"/api/v1/referral/?q={query}", headers=headers)
    assert response.status_code == status
    if status == 400:
        assert set(response.json) == {"message", "errors"}


@pytest.mark.parametrize("username", ["clerk", "caseworker"])
@pytest.mark.parametrize("order", ["created_at:desc", "student_last_name:asc", "status:desc", "submitted_at:asc"])
@pytest.mark.parametrize("page", ["page:0,page_size:2", "page:1,page_size:1", "page:0,page_size:25"])
def test_lean_list_path_answers_exactly_like_fab(app, world, username, order, page):
    with app.app_context():
        from app.models import School, SchoolYear
        from tests import factories

        for index in range(3):
            factories.make_referral(db.session.get(School, world.north), db.session.get(SchoolYear, world.year),
                                    first=f"Lean{index}", last=f"Path{index}", student_grade=index + 6)
        db.session.commit()
    client, headers = bearer(app, username)
    column, direction = order.split(":")
    lean = client.get(f"/api/v1/referral/?q=(order_column:{column},order_direction:{direction},{page})",
                      headers=headers).json
    fab = client.get(f"/api/v1/referral/?q=(filters:!(),order_column:{column},order_direction:{direction},{page})",
                     headers=headers).json
    assert lean == fab
    assert all(row["school"]["name"] == "North Middle School" for row in lean["result"]) or username != "clerk"
