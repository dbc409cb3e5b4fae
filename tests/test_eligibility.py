"""Every submission rule of contract section 6, table-driven, at its boundaries."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Attachment, FamilyMember, Intervention
from app.services import eligibility
from tests import factories

TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def base(app, ctx):
    year = factories.make_year()
    school = factories.make_school("North Middle School")
    online = factories.make_school("Prairie Online Academy", kind="online")
    db.session.commit()
    return year, school, online


def evaluate(referral, day=TODAY):
    db.session.flush()
    db.session.expire(referral)
    return eligibility.evaluate(referral, day)


# (case, fields changed on a complete referral, field expected to fail or None when it passes)
CASES = [
    ("complete referral passes", {}, None),
    ("day before 12th birthday", {"student_dob": dt.date(2014, 11, 17)}, "student_dob"),
    ("12th birthday", {"student_dob": dt.date(2014, 11, 16)}, None),
    ("17th birthday", {"student_dob": dt.date(2009, 11, 16)}, "student_dob"),
    ("day before 17th birthday", {"student_dob": dt.date(2009, 11, 17)}, None),
    ("6 days and 1 half day", {"unexcused_full_days": 6, "unexcused_half_days": 1}, "unexcused_full_days"),
    ("6 days and 2 half days", {"unexcused_full_days": 6, "unexcused_half_days": 2}, None),
    ("14 half days", {"unexcused_full_days": 0, "unexcused_half_days": 14}, None),
    ("13 half days", {"unexcused_full_days": 0, "unexcused_half_days": 13}, "unexcused_full_days"),
    ("grade 8 without credits", {"student_grade": 8}, None),
    ("grade 9 without credits", {"student_grade": 9}, "credits_earned"),
    ("grade 9 with credits", {"student_grade": 9, "credits_earned": 4.5, "credits_required": 42}, None),
    ("interpreter without language", {"student_interpreter_needed": True}, "student_language"),
    ("interpreter with language", {"student_interpreter_needed": True, "student_language": "Somali"}, None),
    ("IEP without description", {"has_iep": True}, "disability_description"),
    ("504 with description", {"has_504_plan": True, "disability_description": "ADHD"}, None),
    ("missing zip", {"student_zip": None}, "student_zip"),
    ("missing primary contact email", {"primary_contact_email": None}, "primary_contact_email"),
]


@pytest.mark.parametrize("case,fields,failing", CASES, ids=[c[0] for c in CASES])
def test_rule_table(base, case, fields, failing):
    year, school, _ = base
    referral = factories.complete_referral(school, year, **fields)
    result = evaluate(referral)
    if failing is None:
        assert result.ok, result.errors
    else:
        assert failing in result.errors, result.errors


def test_after_the_cutoff(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year)
    assert evaluate(referral, dt.date(2027, 4, 30)).ok
    assert "school_year" in evaluate(referral, dt.date(2027, 5, 1)).errors


def test_before_the_window_opens(base):
    year, school, _ = base
    factories.make_year("2027-2028", dt.date(2027, 9, 1), dt.date(2028, 4, 30), ends=dt.date(2028, 6, 30))
    referral = factories.complete_referral(school, year)
    assert "school_year" in evaluate(referral, dt.date(2027, 8, 31)).errors  # summer: 2026-2027 is closed


def test_missing_attendance_record(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year)
    for attachment in referral.attachments:
        db.session.delete(attachment)
    result = evaluate(referral)
    assert result.errors["attachments"] == ["Missing: attendance record PDF."]


def test_family_member_needs_a_phone(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year)
    referral.family_members[0].phone_cell = None
    assert "family_members" in evaluate(referral).errors
    referral.family_members[0].phone_work = "651-555-0199"
    assert evaluate(referral).ok


def test_warning_letter_and_parent_meeting(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year)
    for item in list(referral.interventions):
        db.session.delete(item)
    assert len(evaluate(referral).errors["interventions"]) == 2
    db.session.add(Intervention(referral=referral, kind="warning_letter_3_day", date=dt.date(2026, 10, 1)))
    db.session.add(Intervention(referral=referral, kind="parent_meeting", note="Parent did not answer three calls."))
    assert evaluate(referral).ok


@pytest.mark.parametrize("flags,evidence,ok", [
    ({}, False, False),
    ({"disenrollment_considered": True}, False, False),
    ({"disenrollment_considered": True}, True, True),
    ({"prior_school_referral_this_year": True}, True, True),
    ({}, True, False),
])
def test_online_school(base, flags, evidence, ok):
    year, _, online = base
    referral = factories.complete_referral(online, year, **flags)
    if evidence:
        record = referral.attachments[0]
        db.session.add(Attachment(referral=referral, kind="disenrollment_evidence", filename="notice.pdf",
                                  size_bytes=record.size_bytes, sha256=record.sha256))
    assert evaluate(referral).ok is ok


def test_second_open_referral_for_the_same_student_is_refused(base):
    year, school, online = base
    first = factories.complete_referral(school, year)
    first.status = "submitted"
    second = factories.complete_referral(online, year, disenrollment_considered=True)
    # Another school's open referral: the message says only that one exists.
    assert evaluate(second).errors["student_last_name"] == [
        "This student already has an open referral this school year."]
    # The same school's: it may name it.
    third = factories.complete_referral(school, year)
    assert f"referral #{first.id}" in evaluate(third).errors["student_last_name"][0]
    first.status = "closed"
    assert "student_last_name" not in evaluate(second).errors


def test_re_referral(base):
    year, school, _ = base
    last_year = factories.make_year("2025-2026", dt.date(2025, 9, 1), dt.date(2026, 4, 30), ends=dt.date(2026, 6, 30))
    prior = [f"2026-0{m}-10" for m in (2, 3, 4, 5)]
    current = ["2026-10-01", "2026-10-08", "2026-10-15"]
    referral = factories.complete_referral(school, year, is_re_referral=True, unexcused_full_days=3,
                                           prior_year_absence_dates=prior, current_year_absence_dates=current)
    assert "is_re_referral" in evaluate(referral).errors  # no closed case last year
    factories.complete_referral(school, last_year, status="closed")
    result = evaluate(referral)
    assert result.ok, result.errors
    referral.current_year_absence_dates = current[:2]
    referral.unexcused_full_days = 2
    result = evaluate(referral)
    assert {"current_year_absence_dates", "unexcused_full_days"} <= set(result.errors)


def test_every_failure_reported_at_once_with_its_tab(base):
    year, school, _ = base
    referral = factories.make_referral(school, year)
    result = evaluate(referral)
    assert {"student_sex", "student_zip", "unexcused_full_days", "family_members", "interventions",
            "attachments", "primary_contact_name"} <= set(result.errors)
    assert result.tabs_with_errors() >= {"student", "family", "truancy", "intervention", "contacts", "attachments"}


def test_standing_sentences(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year, unexcused_full_days=6, unexcused_half_days=1,
                                           student_dob=dt.date(2014, 12, 1))
    sentences = [text for _, text in evaluate(referral).standing]
    assert "6.5 of 7 days (two half days count as one)." in sentences
    assert "Age 11 on today's date: referrals start at 12." in sentences


def test_thresholds_come_from_the_school_year(base):
    year, school, _ = base
    referral = factories.complete_referral(school, year, unexcused_full_days=6)
    assert not evaluate(referral).ok
    year.min_days = 6
    assert evaluate(referral).ok
