"""County Admin's directory and user views: validators next to the field, nothing saved."""
from __future__ import annotations

import pytest

from tests.factories import count_rows
from app.models import District, PortalUser, SchoolYear
from tests.conftest import login




@pytest.fixture
def admin(app, world):
    return login(app.test_client(), "admin")


def test_district_names_are_unique(app, admin):
    assert admin.post("/districtview/add", data={"name": "Prairie ISD"}).status_code == 302
    again = admin.post("/districtview/add", data={"name": "Prairie ISD"})
    assert again.status_code == 200 and b"Already exists" in again.data
    assert count_rows(app, District, name="Prairie ISD") == 1


YEAR = {"name": "2027-2028", "starts": "2027-09-01", "cutoff": "2028-04-30", "ends": "2028-06-30",
        "min_age": "12", "max_age": "16", "min_days": "7", "re_referral_days": "3"}


@pytest.mark.parametrize("change,message", [
    ({"cutoff": "2027-08-01"}, b"The cutoff must come after the start."),
    ({"ends": "2028-04-29"}, b"The end must be on or after the cutoff."),
    ({"min_age": "16", "max_age": "12"}, b"The maximum age must be greater than the minimum age."),
    ({"name": "2027"}, b"Use the form 2026-2027"),
])
def test_school_year_form_rules(app, admin, change, message):
    response = admin.post("/schoolyearview/add", data={**YEAR, **change})
    assert response.status_code == 200 and message in response.data
    assert count_rows(app, SchoolYear, name=YEAR["name"]) == 0


def test_school_year_form_accepts_a_good_year(app, admin):
    assert admin.post("/schoolyearview/add", data=YEAR).status_code == 302
    assert count_rows(app, SchoolYear, name="2027-2028") == 1


def _role_id(app, name):
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def _user_form(app, role, school=None, password="a long enough passphrase"):
    data = {"first_name": "Pat", "last_name": "Lee", "username": "plee", "email": "plee@example.org",
            "roles": _role_id(app, role), "active": "y", "password": password, "conf_password": password}
    if school:
        data["school"] = school
    return data


def test_school_staff_user_needs_a_school(app, admin, world):
    response = admin.post("/users/add", data=_user_form(app, "School Staff"))
    assert b"A School Staff user must belong to a school." in response.data
    assert count_rows(app, PortalUser, username="plee") == 0
    ok = admin.post("/users/add", data=_user_form(app, "School Staff", school=world.north))
    assert ok.status_code == 302
    assert count_rows(app, PortalUser, username="plee", school_id=world.north) == 1


def test_county_user_refuses_a_school(app, admin, world):
    response = admin.post("/users/add", data=_user_form(app, "County Staff", school=world.north))
    assert b"County users do not belong to a school" in response.data
    assert count_rows(app, PortalUser, username="plee") == 0


def test_admin_form_applies_the_password_policy(app, admin, world):
    response = admin.post("/users/add", data=_user_form(app, "County Staff", password="short"))
    assert b"Use at least 12 characters." in response.data
    assert count_rows(app, PortalUser, username="plee") == 0
