"""Input no field can hold -- a NUL character, a whole number beyond the integer columns, a
count no school year has -- is refused with a clear message naming the field, on every route and
on both databases (PostgreSQL refuses NUL in text outright), and nothing saved is lost."""
from __future__ import annotations

import pytest

from app.database import MAX_ID
from app.extensions import db
from app.models import AccessRequest, Referral
from tests.conftest import api_token, login
from tests.factories import count_rows

NUL = "Remove the NUL character (\\0): no field can hold it."


def saved_name(app, referral_id) -> str:
    with app.app_context():
        return db.session.get(Referral, referral_id).student_first_name


@pytest.mark.parametrize("body,field,message", [
    ({"student_first_name": "No\x00ra"}, "student_first_name", NUL),
    ({"relevant_information": "\x00"}, "relevant_information", NUL),
    ({"current_year_absence_dates": ["2026-10-01", "\x00"]}, "current_year_absence_dates", NUL),
    ({"unexcused_full_days": 2**40}, "unexcused_full_days", "Enter a smaller number."),
    ({"student_grade": -(10**20)}, "student_grade", "Enter a smaller number."),
    ({"unexcused_full_days": 367}, "unexcused_full_days", "Enter a number no larger than 366."),
    ({"credits_earned": 1e308}, "credits_earned", "Enter a number no larger than 1000."),
])
def test_api_edits_that_cannot_be_stored_are_refused(app, world, body, field, message):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'clerk')}"}
    response = client.put(f"/api/v1/referral/{world.own}", headers=headers, json={**body, "student_first_name":
                                                                                 body.get("student_first_name", "Changed")})
    assert response.status_code == 422, response.json
    assert response.json["errors"][field] == [message]
    assert saved_name(app, world.own) == "Nora"  # nothing of the refused edit was kept
    created = client.post("/api/v1/referral/", headers=headers,
                          json={"student_first_name": "Ada", "student_last_name": "Lovelace", **body})
    assert created.status_code == 422 and field in created.json["errors"]
    assert count_rows(app, Referral, student_last_name="Lovelace") == 0


def test_the_largest_counts_a_year_can_have_are_accepted(app, world):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'clerk')}"}
    response = client.put(f"/api/v1/referral/{world.own}", headers=headers,
                          json={"unexcused_full_days": 366, "unexcused_half_days": 366, "tardies": 9999,
                                "credits_earned": 1000})
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("path,body", [
    ("/api/v1/referral/{own}/family", {"name": "Pa\x00t", "relationship": "Father"}),
    ("/api/v1/referral/{own}/interventions", {"kind": "other", "note": "\x00"}),
    ("/api/v1/referral/{own}/messages", {"body": "hello\x00"}),
    ("/api/v1/referral/{own}/transition", {"to": "withdrawn", "note": "x", "assigned_to": 10**20}),
])
def test_sub_resources_refuse_it_too(app, world, path, body):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'clerk')}"}
    response = client.post(path.format(own=world.own), headers=headers, json=body)
    assert response.status_code == 422, response.json
    assert set(response.json) == {"message", "errors"} and response.json["errors"]


def test_sign_in_with_a_nul_is_refused_not_a_crash(app, world):
    client = app.test_client()
    api = client.post("/api/v1/security/login", json={"username": "cl\x00erk", "password": "x", "provider": "db"})
    assert api.status_code == 422 and "username" in api.json["errors"]
    form = client.post("/login/", data={"username": "cl\x00erk", "password": "x"})
    assert form.status_code == 422


def test_public_access_request_refuses_it(app, world):
    response = app.test_client().post("/api/v1/access-request/", json={
        "first_name": "Ana\x00", "last_name": "Ruiz", "email": "ana@example.org", "school_id": 1, "reason": "x"})
    assert response.status_code == 422 and "first_name" in response.json["errors"]
    assert count_rows(app, AccessRequest) == 0


def test_the_referral_form_refuses_it_next_to_the_field(app, world):
    clerk = login(app.test_client(), "clerk")
    response = clerk.post(f"/referrals/{world.own}/save", data={
        "student_first_name": "Nora", "student_last_name": "Northfield", "unexcused_full_days": "99999999999"})
    assert response.status_code == 422
    assert "Enter a number no larger than 366." in response.get_data(as_text=True)
    nul = clerk.post(f"/referrals/{world.own}/save", data={"student_first_name": "N\x00", "student_last_name": "X"})
    assert nul.status_code == 422 and "NUL" in nul.get_data(as_text=True)
    assert saved_name(app, world.own) == "Nora"


def test_a_nul_in_a_query_string_is_refused(app, world):
    clerk = login(app.test_client(), "clerk")
    assert clerk.get("/referrals/?status=%00").status_code == 422
    assert clerk.get(f"/referrals/?school={MAX_ID}").status_code == 200  # a number in a query is text


def test_database_error_text_never_reaches_the_user(app):
    from app.api.referral import ReferralApi

    with app.test_request_context("/api/v1/referral/1"):
        api = next(view for view in app.appbuilder.baseviews if isinstance(view, ReferralApi))
        response = api.response_422('Database exception occurred: duplicate key violates "uq_referral_x"')
    assert response.status_code == 422
    assert "uq_referral" not in response.get_data(as_text=True)
