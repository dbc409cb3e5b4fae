"""The referral page: home list, drafts, the seven tabs, submission, read-only afterwards."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, FamilyMember, Intervention, Referral, StatusChange
from tests import factories
from tests.conftest import login
from tests.factories import count_rows


@pytest.fixture
def clerk(app, world):
    return login(app.test_client(), "clerk")


@pytest.fixture
def complete(app, world):
    """A referral of the clerk's school that passes every rule."""
    with app.app_context():
        from app.models import School, SchoolYear, PortalUser

        school = db.session.get(School, world.north)
        year = db.session.get(SchoolYear, world.year)
        creator = db.session.scalar(select(PortalUser).where(PortalUser.username == "clerk"))
        referral = factories.complete_referral(school, year, creator, first="Cara", last="Complete",
                                               student_dob=__import__("datetime").date(2012, 1, 2))
        db.session.commit()
        return referral.id


def test_school_home_lists_own_referrals_with_days_left(app, world, clerk):
    page = clerk.get("/referrals/").data.decode()
    assert "My school&#39;s referrals" in page or "My school's referrals" in page
    assert 'id="new-referral"' in page
    assert "Northfield" in page and "Southgate" not in page
    assert "30 days" in page  # created today (PORTAL_TODAY), so the whole month is left


def test_counts_are_worded_for_one_and_for_many(app, world, clerk):
    staff = login(app.test_client(), "caseworker")
    assert "1 referral " in clerk.get("/referrals/").get_data(as_text=True).replace("&middot;", " ")
    assert "2 referrals" in staff.get("/referrals/").get_data(as_text=True)
    with app.app_context():
        referral = db.session.get(Referral, world.own)
        referral.created_at = referral.created_at - __import__("datetime").timedelta(days=29)
        db.session.commit()
    listed = clerk.get("/referrals/").get_data(as_text=True)
    assert ">1 day<" in listed and "1 days" not in listed
    page = clerk.get(f"/referrals/{world.own}").get_data(as_text=True)
    assert "Submit within 1 day or" in page
    clerk.get("/lang/es")
    assert "1 remisión" in clerk.get("/referrals/").get_data(as_text=True)


@pytest.mark.parametrize("age,left,near", [(22, 8, False), (23, 7, True), (40, 0, True)])
def test_the_warning_week_is_marked_on_the_list_and_the_page(app, world, clerk, age, left, near):
    import datetime as dt

    with app.app_context():
        referral = db.session.get(Referral, world.own)
        referral.created_at = dt.datetime(2026, 11, 16, 9, 0) - dt.timedelta(days=age)  # PORTAL_TODAY
        db.session.commit()
    listed = clerk.get("/referrals/").get_data(as_text=True)
    marked = f'<span class="text-danger">{left} day'
    assert (marked in listed) is near and f">{left} day" in listed
    page = clerk.get(f"/referrals/{world.own}").get_data(as_text=True)
    assert ('class="text-danger" id="days-left"' in page) is near


def test_large_counts_are_grouped_in_the_users_language(app, world, clerk):
    with app.app_context():
        from app.models import School, SchoolYear

        school, year = db.session.get(School, world.north), db.session.get(SchoolYear, world.year)
        for index in range(1_200):
            factories.make_referral(school, year, first=f"Kid{index}")
        db.session.commit()
    page = clerk.get("/referrals/").get_data(as_text=True)
    assert "1,201 referrals" in page and "Page 1 of 49" in page
    last = clerk.get("/referrals/?page=999").get_data(as_text=True)  # past the end: the last page
    assert "Page 49 of 49" in last and "Nora Northfield" in last and "&larr;" in last
    clerk.get("/lang/es")
    assert "1201 remisiones" in clerk.get("/referrals/").get_data(as_text=True) or \
        "1.201 remisiones" in clerk.get("/referrals/").get_data(as_text=True)


def test_new_referral_creates_a_draft_of_the_users_school(app, world, clerk):
    response = clerk.post("/referrals/new", data={"student_first_name": "Ada", "student_last_name": "Lovelace"})
    assert response.status_code == 302
    assert count_rows(app, Referral, student_last_name="Lovelace", school_id=world.north, status="draft") == 1
    assert count_rows(app, AuditEvent, action="create", object_type="referral") == 1


def test_new_referral_needs_names(app, world, clerk):
    response = clerk.post("/referrals/new", data={"student_first_name": "", "student_last_name": ""})
    assert response.status_code == 200 and b"This field is required" in response.data


def test_viewing_a_referral_is_audited_without_student_data(app, world, clerk):
    assert clerk.get(f"/referrals/{world.own}").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view"))
        assert (event.object_id, event.school_id, event.actor_username) == (world.own, world.north, "clerk")
        assert "Nora" not in str(event.detail) and "Northfield" not in str(event.detail)


BASE = {"student_first_name": "Nora", "student_last_name": "Northfield"}


@pytest.mark.parametrize("field,value,message", [
    ("student_dob", "2012-13-45", b"Not a valid date value"),
    ("student_zip", "5503", b"Enter a 5-digit or 9-digit ZIP code."),
    ("student_race", "martian", b"Not a valid choice"),
    ("student_state", "Minnesota", b"Enter the two-letter state code"),
    ("unexcused_full_days", "-2", b"Must not be negative."),
    ("primary_contact_email", "not-mail", b"Enter a valid email address."),
    ("prior_year_absence_dates", "2026-02-30", b"is not a date"),
])
def test_malformed_values_are_refused_next_to_the_field_and_nothing_is_lost(app, world, clerk, field, value, message):
    clerk.post(f"/referrals/{world.own}/save", data={**BASE, "student_city": "Hastings", "tab": "student"})
    response = clerk.post(f"/referrals/{world.own}/save",
                          data={**BASE, "student_city": "Changed", field: value, "tab": "student"})
    assert response.status_code == 422
    assert message in response.data
    assert b'value="Changed"' in response.data  # the clerk's typing is kept on the page
    assert count_rows(app, Referral, id=world.own, student_city="Hastings") == 1  # what was saved stays


def test_an_incomplete_draft_saves(app, world, clerk):
    response = clerk.post(f"/referrals/{world.own}/save",
                          data={**BASE, "student_zip": "55033", "unexcused_half_days": "3", "tab": "truancy"})
    assert response.status_code == 302 and response.headers["Location"].endswith("tab=truancy")
    assert count_rows(app, Referral, id=world.own, student_zip="55033", unexcused_half_days=3) == 1
    assert count_rows(app, AuditEvent, action="update", object_id=world.own) == 1


def test_the_page_explains_where_the_referral_stands(app, world, clerk):
    clerk.post(f"/referrals/{world.own}/save",
               data={**BASE, "unexcused_full_days": "6", "unexcused_half_days": "1", "student_dob": "2014-12-01"})
    page = clerk.get(f"/referrals/{world.own}").data.decode()
    assert "6.5 of 7 days (two half days count as one)." in page
    assert "Age 11 on today&#39;s date: referrals start at 12." in page or "Age 11 on today's date" in page
    assert "Missing: attendance record PDF." not in page  # the world's referral has one
    for tab in ("Student", "Family", "Truancy", "Intervention", "Special Education", "Contacts", "Attachments"):
        assert f"{tab}</a>" in page or f"{tab} <i" in page


def test_family_members_are_added_edited_and_removed_on_the_page(app, world, clerk):
    refused = clerk.post(f"/referrals/{world.own}/family", data={"new-name": "No Phone"})
    assert refused.status_code == 422 and b"Enter at least one phone number." in refused.data
    assert count_rows(app, FamilyMember, name="No Phone") == 0
    assert clerk.post(f"/referrals/{world.own}/family",
                      data={"new-name": "Rosa Northfield", "new-phone_home": "651-555-0142"}).status_code == 302
    with app.app_context():
        member_id = db.session.scalar(select(FamilyMember.id).where(FamilyMember.name == "Rosa Northfield"))
    bad = clerk.post(f"/referrals/{world.own}/family/{member_id}",
                     data={f"m{member_id}-name": "Rosa N.", f"m{member_id}-zip": "1"})
    assert bad.status_code == 422 and count_rows(app, FamilyMember, id=member_id, name="Rosa Northfield") == 1
    assert clerk.post(f"/referrals/{world.own}/family/{member_id}",
                      data={f"m{member_id}-name": "Rosa N.", f"m{member_id}-phone_cell": "651-555-0143"}).status_code == 302
    assert count_rows(app, FamilyMember, id=member_id, name="Rosa N.") == 1
    assert clerk.post(f"/referrals/{world.own}/family/{member_id}/delete").status_code == 302
    assert count_rows(app, FamilyMember, id=member_id) == 0


def test_interventions_checklist(app, world, clerk):
    refused = clerk.post(f"/referrals/{world.own}/interventions",
                         data={"check_referral_letter": "y", "check_other": "y", "check_parent_meeting": "y"})
    assert refused.status_code == 422
    assert b"Enter the date." in refused.data and b"Describe the other intervention." in refused.data
    assert b"Enter the meeting date, or why no meeting was held." in refused.data
    assert count_rows(app, Intervention, referral_id=world.own) == 1  # untouched
    ok = clerk.post(f"/referrals/{world.own}/interventions",
                    data={"check_warning_letter_3_day": "y", "date_warning_letter_3_day": "2026-10-01",
                          "check_parent_meeting": "y", "note_parent_meeting": "Parent did not respond.",
                          "check_tutoring_mentoring": "y", "check_other": "y", "note_other": "Home visit."})
    assert ok.status_code == 302
    with app.app_context():
        kinds = set(db.session.scalars(select(Intervention.kind).where(Intervention.referral_id == world.own)))
    assert kinds == {"warning_letter_3_day", "parent_meeting", "tutoring_mentoring", "other"}


def test_submit_refused_lists_every_failure_and_changes_nothing(app, world, clerk):
    response = clerk.post(f"/referrals/{world.own}/submit")
    assert response.status_code == 422
    for message in (b"Enter the street address.", b"Choose the student&#39;s sex.", b"Enter the primary school contact."):
        assert message in response.data
    assert count_rows(app, Referral, id=world.own, status="draft") == 1


def test_submit_then_read_only(app, world, clerk, complete):
    response = clerk.post(f"/referrals/{complete}/submit")
    assert response.status_code == 302
    assert count_rows(app, Referral, id=complete, status="submitted") == 1
    assert count_rows(app, StatusChange, referral_id=complete, from_status="draft", to_status="submitted") == 1
    assert count_rows(app, AuditEvent, action="submit", object_id=complete) == 1
    page = clerk.get(f"/referrals/{complete}").data.decode()
    assert "Submitted" in page and "Save draft" not in page and 'id="submit-referral"' not in page
    again = clerk.post(f"/referrals/{complete}/save", data={**BASE})
    assert again.status_code == 409
    assert clerk.post(f"/referrals/{complete}/submit").status_code == 403 or \
        count_rows(app, StatusChange, referral_id=complete) == 1


def test_api_submit_uses_the_same_rules(app, world, complete):
    from tests.conftest import api_token

    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'clerk')}"}
    refused = client.post(f"/api/v1/referral/{world.own}/submit", headers=headers)
    assert refused.status_code == 422
    assert "student_address" in refused.json["errors"] and refused.json["message"]
    ok = client.post(f"/api/v1/referral/{complete}/submit", headers=headers)
    assert ok.status_code == 200 and ok.json["result"]["status"] == "submitted"
    assert client.post(f"/api/v1/referral/{complete}/submit", headers=headers).status_code == 409


def test_drafts_can_be_deleted_but_not_submitted_ones(app, world, clerk, complete):
    clerk.post(f"/referrals/{complete}/submit")
    assert clerk.post(f"/referrals/{complete}/delete").status_code == 409
    assert clerk.post(f"/referrals/{world.own}/delete").status_code == 302
    assert count_rows(app, Referral, id=world.own) == 0
    assert count_rows(app, FamilyMember, referral_id=world.own) == 0


@pytest.mark.parametrize("query,expect_north,expect_south", [
    ("", True, True),
    ("status=draft", True, True),
    ("status=submitted", False, False),
    ("school={south}", False, True),
    ("district={south_district}", False, True),
    ("grade=", True, True),
    ("re_referral=yes", False, False),
    ("re_referral=no", True, True),
    ("school_year={year}", True, True),
    ("school=abc", False, False),
    ("status=bogus", False, False),
    ("grade=abc", False, False),
    ("district=-1", False, False),
    ("school={south}&status=draft&re_referral=no", False, True),
    ("district={south_district}&school={north}", False, False),
])
def test_county_list_filters(app, world, query, expect_north, expect_south):
    staff = login(app.test_client(), "caseworker")
    with app.app_context():
        from app.models import School

        south_district = db.session.get(School, world.south).district_id
    page = staff.get("/referrals/?" + query.format(south=world.south, north=world.north, south_district=south_district,
                                                   year=world.year)).data
    assert (b"Northfield" in page) is expect_north
    assert (b"Southgate" in page) is expect_south


def test_list_filters_show_what_was_chosen(app, world):
    staff = login(app.test_client(), "caseworker")
    page = staff.get(f"/referrals/?status=returned&grade=0&school={world.south}").get_data(as_text=True)
    assert '<option value="returned" selected>' in page
    assert '<option value="0" selected>K</option>' in page
    assert f'<option value="{world.south}" selected>' in page
    assert '<option value="draft" >' in page  # the others are not chosen


def test_a_school_user_cannot_list_another_school_by_filter(app, world, clerk):
    page = clerk.get(f"/referrals/?school={world.south}").data
    assert b"Southgate" not in page and b"Northfield" not in page


def test_county_staff_read_every_tab_without_edit_controls(app, world):
    staff = login(app.test_client(), "caseworker")
    page = staff.get(f"/referrals/{world.other}").data.decode()
    assert "Southgate" in page and "<fieldset disabled>" in page
    assert "Save draft" not in page and 'id="upload-form"' not in page


def test_county_buttons_move_the_referral_and_history_shows_it(app, world, clerk, complete):
    clerk.post(f"/referrals/{complete}/submit")
    staff = login(app.test_client(), "caseworker")
    page = staff.get(f"/referrals/{complete}").data.decode()
    for button in ("move-under_review", "move-returned"):
        assert f'id="{button}"' in page
    assert 'id="move-accepted"' not in page and 'id="submit-referral"' not in page
    refused = staff.post(f"/referrals/{complete}/move", data={"to": "returned"}, follow_redirects=True)
    assert b"Add a note." in refused.data
    assert count_rows(app, Referral, id=complete, status="submitted") == 1
    staff.post(f"/referrals/{complete}/move", data={"to": "under_review"})
    page = staff.get(f"/referrals/{complete}").data.decode()
    assert 'id="move-accepted"' in page and 'id="move-declined"' in page and "Caseworker (optional)" in page
    staff.post(f"/referrals/{complete}/move", data={"to": "returned", "note": "Attach the contract."})
    assert count_rows(app, Referral, id=complete, status="returned") == 1
    page = clerk.get(f"/referrals/{complete}").data.decode()
    assert "Attach the contract." in page and "Resubmit to the county" in page
    assert clerk.post(f"/referrals/{complete}/move", data={"to": "accepted"}).status_code == 403


def test_school_withdraws_with_a_note(app, world, clerk, complete):
    clerk.post(f"/referrals/{complete}/submit")
    page = clerk.get(f"/referrals/{complete}").data.decode()
    assert 'id="move-withdrawn"' in page and 'id="move-under_review"' not in page
    clerk.post(f"/referrals/{complete}/move", data={"to": "withdrawn", "note": "Moved out of state."})
    assert count_rows(app, Referral, id=complete, status="withdrawn") == 1


def test_moves_on_another_schools_referral_are_404(app, world, clerk):
    assert clerk.post(f"/referrals/{world.other}/move", data={"to": "withdrawn", "note": "x"}).status_code == 404
    assert clerk.post(f"/referrals/{world.other}/messages", data={"body": "hi"}).status_code == 404


def test_messages_on_the_page(app, world, clerk):
    assert clerk.post(f"/referrals/{world.own}/messages", data={"body": "We called home twice."}).status_code == 302
    staff = login(app.test_client(), "caseworker")
    staff.post(f"/referrals/{world.own}/messages", data={"body": "Thank you."})
    page = clerk.get(f"/referrals/{world.own}").data.decode()
    assert page.index("We called home twice.") < page.index("Thank you.")
    empty = clerk.post(f"/referrals/{world.own}/messages", data={"body": " "}, follow_redirects=True)
    assert b"Write a message." in empty.data


def test_caseworker_queue(app, world, clerk, complete):
    clerk.post(f"/referrals/{complete}/submit")
    staff = login(app.test_client(), "caseworker")
    page = staff.get("/queue/").data.decode()
    assert "Complete" in page and "Northfield" not in page  # drafts are not waiting
    assert "Complete" not in staff.get(f"/queue/?school={world.south}").data.decode()
    assert "Complete" in staff.get("/queue/?assigned=none").data.decode()
    assert clerk.get("/queue/").status_code == 403
