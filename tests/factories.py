"""Builders of test data through the real services (so the rules apply) or plain rows."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from app.extensions import db
from app.models import Attachment, FamilyMember, Intervention, Referral
from app.models.enums import Status
from app.security import COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF
from app.services import directory
from app.services.demo_pdf import make_pdf
from app.storage import storage

PASSWORD = "correct horse battery staple"


def make_year(name="2026-2027", starts=dt.date(2026, 9, 1), cutoff=dt.date(2027, 4, 30), **kw):
    return directory.save_school_year(name, starts, cutoff, kw.pop("ends", dt.date(2027, 6, 30)), **kw)[0]


def make_school(name, district="Riverbend ISD 101", kind="public"):
    directory.create_district(district)
    return directory.create_school(name, district, kind)[0]


def make_user(username, role, school=None):
    return directory.create_user(username, PASSWORD, f"{username}@example.org", username.title(), "Tester",
                                 role, school.name if school else None)


def make_referral(school, year, creator=None, status=Status.DRAFT, first="Alex", last="Rivera", **fields):
    referral = Referral(
        school_id=school.id, school_year_id=year.id, status=str(status), created_by_id=getattr(creator, "id", None),
        student_first_name=first, student_last_name=last, student_dob=fields.pop("student_dob", dt.date(2012, 5, 1)),
        **fields,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def make_children(referral, creator=None):
    data = make_pdf(f"Attendance record {referral.id}")
    sha = storage.put(data)
    family = FamilyMember(referral=referral, name=f"Parent of {referral.student_first_name}",
                          relationship="Mother", phone_cell="651-555-0100")
    intervention = Intervention(referral=referral, kind="warning_letter_3_day", date=dt.date(2026, 10, 1))
    attachment = Attachment(referral=referral, kind="attendance_record", filename="attendance.pdf",
                            size_bytes=len(data), sha256=sha,
                            uploaded_by_id=getattr(creator, "id", None))
    db.session.add_all([family, intervention, attachment])
    db.session.flush()
    return family, intervention, attachment


def make_world():
    year = make_year()
    north = make_school("North Middle School")
    south = make_school("South High School", district="Lakeview ISD 202")
    users = SimpleNamespace(
        admin=make_user("admin", COUNTY_ADMIN),
        staff=make_user("caseworker", COUNTY_STAFF),
        clerk=make_user("clerk", SCHOOL_STAFF, north),
        other=make_user("southclerk", SCHOOL_STAFF, south),
    )
    own = make_referral(north, year, users.clerk, first="Nora", last="Northfield")
    other = make_referral(south, year, users.other, first="Sam", last="Southgate")
    own_children = make_children(own, users.clerk)
    other_children = make_children(other, users.other)
    db.session.commit()
    return SimpleNamespace(
        year=year.id, north=north.id, south=south.id, north_name=north.name, south_name=south.name,
        users=SimpleNamespace(**{key: user.username for key, user in vars(users).items()}),
        own=own.id, other=other.id,
        own_family=own_children[0].id, own_intervention=own_children[1].id, own_attachment=own_children[2].id,
        other_family=other_children[0].id, other_intervention=other_children[1].id,
        other_attachment=other_children[2].id,
    )


def count_rows(app, model, **where) -> int:
    """How many ``model`` rows match ``where`` (in a context of its own, outside requests)."""
    from sqlalchemy import func, select

    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def complete_referral(school, year, creator=None, **overrides):
    """A referral that passes every submission rule on 2026-11-16 (the tests' today)."""
    fields = dict(
        student_dob=dt.date(2012, 5, 1), student_sex="F", student_race="hispanic",
        student_address="100 Main St", student_city="Hastings", student_state="MN", student_zip="55033",
        student_grade=8, unexcused_full_days=7, unexcused_half_days=0,
        primary_contact_name="Pat Clerk", primary_contact_phone="651-555-0100",
        primary_contact_email="pat@example.org",
    )
    fields.update(overrides)
    first = fields.pop("first", "Nora")
    last = fields.pop("last", "Northfield")
    referral = make_referral(school, year, creator, first=first, last=last, **fields)
    from app.services.referrals import match_key

    referral.student_match_key = match_key(first, last, referral.student_dob)
    data = make_pdf("Attendance record")
    sha = storage.put(data)
    db.session.add_all([
        FamilyMember(referral=referral, name="Maria Northfield", relationship="Mother", phone_cell="651-555-0101"),
        Intervention(referral=referral, kind="warning_letter_3_day", date=dt.date(2026, 10, 1)),
        Intervention(referral=referral, kind="parent_meeting", date=dt.date(2026, 10, 8)),
        Attachment(referral=referral, kind="attendance_record", filename="attendance.pdf", size_bytes=len(data),
                   sha256=sha),
    ])
    db.session.flush()
    db.session.refresh(referral)
    return referral
