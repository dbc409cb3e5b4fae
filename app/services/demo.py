"""Synthetic demo data: districts, schools, school years, one user per role, and referrals in
every status with family members, interventions, attachments and status history.

Everything is fake (Faker names from a seeded generator; 555 phone numbers; example.org
mail). Rows are written in bulk on the raw connection, inside one transaction: executemany on
SQLite, COPY on PostgreSQL. Faker builds pools of names once; rows draw from the pools, which
keeps a million referrals within minutes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from dataclasses import dataclass, field

from faker import Faker
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.models import (
    District,
    Referral,
)
from app.models.enums import DATED_INTERVENTIONS, CloseReason, InterventionKind, Race, SchoolKind, Status
from app.security import COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF
from app.services import directory, tally
from app.services.demo_pdf import make_pdf
from app.storage import storage

BATCH = 10_000
DEMO_PASSWORD = "county-demo-portal-2026"
DEMO_USERNAMES = ("admin", "caseworker", "clerk", "clerk2")

REFERRAL_COLUMNS = [
    "id", "school_id", "school_year_id", "status", "created_by_id", "assigned_to_id",
    "created_at", "updated_at", "submitted_at", "student_match_key",
    "student_first_name", "student_middle_name", "student_last_name", "student_dob",
    "student_sex", "student_race", "student_address", "student_city", "student_state",
    "student_zip", "student_grade", "credits_earned", "credits_required",
    "student_interpreter_needed", "student_language", "unexcused_full_days",
    "unexcused_half_days", "excused_absences", "tardies", "relevant_information",
    "is_re_referral", "prior_year_absence_dates", "current_year_absence_dates",
    "disenrollment_considered", "prior_school_referral_this_year", "has_504_plan", "has_iep",
    "has_other_support", "disability_description", "primary_contact_name",
    "primary_contact_phone", "primary_contact_email", "case_manager_name", "case_manager_email",
]
FAMILY_COLUMNS = ["referral_id", "name", "relationship", "address", "city", "state", "zip",
                  "phone_cell", "phone_home", "phone_work", "email", "interpreter_needed", "language"]
INTERVENTION_COLUMNS = ["referral_id", "kind", "date", "note"]
ATTACHMENT_COLUMNS = ["referral_id", "kind", "filename", "content_type", "size_bytes", "sha256",
                      "uploaded_by_id", "uploaded_at"]
STATUS_COLUMNS = ["referral_id", "from_status", "to_status", "changed_by_id", "changed_at", "note", "reason"]

# Share of referrals per status in the current year; the previous year is mostly settled.
CURRENT_MIX = [(Status.DRAFT, 15), (Status.SUBMITTED, 14), (Status.UNDER_REVIEW, 12),
               (Status.RETURNED, 8), (Status.ACCEPTED, 20), (Status.DECLINED, 7),
               (Status.WITHDRAWN, 5), (Status.CLOSED, 19)]
PREVIOUS_MIX = [(Status.CLOSED, 70), (Status.DECLINED, 15), (Status.WITHDRAWN, 10), (Status.ACCEPTED, 5)]
# The path each status took from draft.
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: [Status.SUBMITTED],
    Status.UNDER_REVIEW: [Status.SUBMITTED, Status.UNDER_REVIEW],
    Status.RETURNED: [Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED],
    Status.ACCEPTED: [Status.SUBMITTED, Status.UNDER_REVIEW, Status.ACCEPTED],
    Status.DECLINED: [Status.SUBMITTED, Status.UNDER_REVIEW, Status.DECLINED],
    Status.WITHDRAWN: [Status.SUBMITTED, Status.WITHDRAWN],
    Status.CLOSED: [Status.SUBMITTED, Status.UNDER_REVIEW, Status.ACCEPTED, Status.CLOSED],
}
NOTES = {
    Status.RETURNED: "Please attach the full attendance record for this term.",
    Status.DECLINED: "Absences do not meet the threshold once excused days are removed.",
    Status.WITHDRAWN: "Attendance improved after the parent meeting.",
}
LANGUAGES = ["Spanish", "Somali", "Hmong", "Karen", "Vietnamese", "Arabic", "Oromo"]
RELATIONSHIPS = ["Mother", "Father", "Guardian", "Grandmother", "Grandfather", "Aunt", "Stepparent"]
RACE_WEIGHTS = [(Race.AMERICAN_INDIAN, 2), (Race.ASIAN, 8), (Race.BLACK, 14), (Race.HISPANIC, 16),
                (Race.PACIFIC_ISLANDER, 1), (Race.WHITE, 48), (Race.MULTIRACIAL, 8), (Race.UNKNOWN, 3)]
CHECKLIST = [k for k in InterventionKind if k not in DATED_INTERVENTIONS and k != InterventionKind.OTHER]


class DemoRefused(Exception):
    """The database already holds data; demo-data fills an empty one only."""


@dataclass
class DemoSummary:
    districts: int = 0
    schools: int = 0
    referrals: int = 0
    family_members: int = 0
    interventions: int = 0
    attachments: int = 0
    status_changes: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    def describe(self) -> str:
        lines = [
            f"Demo data: {self.districts} districts, {self.schools} schools, {self.referrals} referrals, "
            f"{self.family_members} family members, {self.interventions} interventions, "
            f"{self.attachments} attachments, {self.status_changes} status changes.",
            "Demo logins (password for all: " + self.password + "):",
        ]
        lines += [f"  {role:<13} {username:<10} {where}" for role, username, where in self.logins]
        return "\n".join(lines)


def _weighted(rng: random.Random, pairs, k: int) -> list:
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights, k=k)


def _year_bounds(day: dt.date) -> tuple[int, int]:
    start = day.year if day.month >= 8 else day.year - 1
    return start, start + 1


class _Pools:
    """Faker's synthetic people and places, built once from the seed."""

    def __init__(self, seed: int):
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.first_f = list({fake.first_name_female() for _ in range(1500)})
        self.first_m = list({fake.first_name_male() for _ in range(1500)})
        self.first_x = self.first_f[:200] + self.first_m[:200]
        self.last = list({fake.last_name() for _ in range(2500)})
        self.streets = [fake.street_address() for _ in range(3000)]
        self.cities = list({fake.city() for _ in range(120)})
        self.staff = [f"{fake.first_name()} {fake.last_name()}" for _ in range(400)]
        self.first_f.sort(), self.first_m.sort(), self.last.sort(), self.cities.sort()


def is_empty() -> bool:
    return not (db.session.scalar(select(func.count(Referral.id)))
                or db.session.scalar(select(func.count(District.id))))


def _refuse_unless_empty() -> None:
    if not is_empty():
        raise DemoRefused("The database is not empty: demo-data fills an empty database only.")


def describe_existing_demo() -> str:
    """The demo logins, if the demo users exist (for `make run` after the first time)."""
    from app.models import PortalUser

    users = db.session.scalars(
        select(PortalUser).where(PortalUser.username.in_(DEMO_USERNAMES)).order_by(PortalUser.id)
    ).all()
    if not users:
        return "No demo users in this database."
    lines = [f"Demo logins (password for all, unless changed: {DEMO_PASSWORD}):"]
    for user in users:
        role = user.roles[0].name if user.roles else "-"
        where = user.school.name if user.school else "County truancy unit"
        lines.append(f"  {role:<13} {user.username:<10} {where}")
    return "\n".join(lines)


class _Writer:
    """Bulk rows on the session's own connection (one transaction): COPY or executemany."""

    def __init__(self):
        connection = db.session.connection()
        self.dialect = connection.dialect.name
        self.raw = connection.connection.driver_connection

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def finish(self, tables: list[str]) -> None:
        if self.dialect == "postgresql":
            cursor = self.raw.cursor()
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            cursor.close()


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def load_demo(schools: int = 12, referrals: int = 300, seed: int = 2026, password: str | None = None,
              progress=None) -> DemoSummary:
    """Fill an empty database; commit once at the end (nothing half-made on failure)."""
    _refuse_unless_empty()
    rng = random.Random(seed)
    pools = _Pools(seed)
    summary = DemoSummary(password=password or DEMO_PASSWORD)
    day = today()

    # Directory: districts, schools (at least one online, charter and ALC), two school years.
    district_rows = []
    for index in range(max(2, min(12, schools // 5))):
        name = f"{pools.cities[index % len(pools.cities)]} Public Schools ISD {190 + index * 7}"
        district_rows.append(directory.create_district(name)[0])
    special = [SchoolKind.ONLINE, SchoolKind.CHARTER, SchoolKind.ALC, SchoolKind.PRIVATE]
    school_rows, used = [], set()
    levels = ["Middle School", "High School", "Junior High", "Secondary School"]
    for index in range(schools):
        kind = special[index - 1] if 1 <= index <= len(special) and schools > index else SchoolKind.PUBLIC
        while True:
            base = rng.choice(pools.last)
            suffix = {SchoolKind.ONLINE: "Online Academy", SchoolKind.CHARTER: "Charter School",
                      SchoolKind.ALC: "Area Learning Center", SchoolKind.PRIVATE: "Academy"}.get(kind, rng.choice(levels))
            name = f"{base} {suffix}"
            if name not in used:
                used.add(name)
                break
        district = district_rows[index % len(district_rows)]
        school_rows.append(directory.create_school(name, district.name, kind.value)[0])
    summary.districts, summary.schools = len(district_rows), len(school_rows)

    start, end = _year_bounds(day)
    previous, _ = directory.save_school_year(f"{start - 1}-{start}", dt.date(start - 1, 9, 1),
                                             dt.date(start, 4, 30), dt.date(start, 6, 30))
    current, _ = directory.save_school_year(f"{start}-{end}", dt.date(start, 9, 1),
                                            dt.date(end, 4, 30), dt.date(end, 6, 30))

    # One user per role (plus a clerk at a second school, to show the school boundary).
    home_school = next(s for s in school_rows if s.kind == SchoolKind.PUBLIC)
    users = [
        ("admin", COUNTY_ADMIN, None, "County truancy unit"),
        ("caseworker", COUNTY_STAFF, None, "County truancy unit"),
        ("clerk", SCHOOL_STAFF, home_school, home_school.name),
    ]
    other_school = next((s for s in school_rows if s.id != home_school.id), None)
    if other_school is not None:
        users.append(("clerk2", SCHOOL_STAFF, other_school, other_school.name))
    made = {}
    for username, role, school, where in users:
        first, last = pools.staff[len(made)].split(" ", 1)
        made[username] = directory.create_user(
            username, summary.password, f"{username}@example.org", first, last, role,
            school.name if school else None,
        )
        summary.logins.append((role, username, where))
    db.session.flush()

    # School staff who "created" each school's referrals: the demo clerk at the home school,
    # otherwise nobody (their accounts would add nothing to the demo).
    creator_for = {home_school.id: made["clerk"].id}
    if other_school is not None:
        creator_for[other_school.id] = made["clerk2"].id
    caseworker_id = made["caseworker"].id
    pdf = make_pdf("Synthetic attendance record - demo data, not a real student")
    sha = storage.put(pdf)

    writer = _Writer()
    next_ids = {"referral": _next_id(Referral)}
    school_ids = [s.id for s in school_rows]
    online_ids = {s.id for s in school_rows if s.kind == SchoolKind.ONLINE}
    bar = progress(length=referrals, label="Referrals") if progress else contextlib.nullcontext()
    with bar as bar_handle:
        done = 0
        while done < referrals:
            size = min(BATCH, referrals - done)
            batch = _make_batch(rng, pools, size, next_ids, school_ids, online_ids, creator_for,
                                caseworker_id, previous, current, day, sha, len(pdf))
            writer.write("referral", REFERRAL_COLUMNS, batch["referral"])
            writer.write("family_member", FAMILY_COLUMNS, batch["family"])
            writer.write("intervention", INTERVENTION_COLUMNS, batch["intervention"])
            writer.write("attachment", ATTACHMENT_COLUMNS, batch["attachment"])
            writer.write("status_change", STATUS_COLUMNS, batch["status"])
            summary.family_members += len(batch["family"])
            summary.interventions += len(batch["intervention"])
            summary.attachments += len(batch["attachment"])
            summary.status_changes += len(batch["status"])
            done += size
            if bar_handle is not None and hasattr(bar_handle, "update"):
                bar_handle.update(size)
    writer.finish(["referral", "family_member", "intervention", "attachment", "status_change"])
    tally.rebuild(db.session.connection())  # the bulk rows bypassed the per-change counting
    summary.referrals = referrals
    db.session.commit()
    return summary


def _make_batch(rng, pools, size, next_ids, school_ids, online_ids, creator_for, caseworker_id,
                previous, current, day, sha, pdf_size) -> dict[str, list[tuple]]:
    rows = {"referral": [], "family": [], "intervention": [], "attachment": [], "status": []}
    ref_rows, fam_rows, int_rows, att_rows, st_rows = (rows[k] for k in
                                                       ("referral", "family", "intervention", "attachment", "status"))
    randint, random_, choice = rng.randint, rng.random, rng.choice
    # Everything happens before the start of today: with the same seed on the same day, the
    # output is the same whatever the time of day.
    moment = dt.datetime.combine(day, dt.time(0, 0))
    in_previous = [random_() < 0.25 for _ in range(size)]
    statuses_current = _weighted(rng, CURRENT_MIX, size)
    statuses_previous = _weighted(rng, PREVIOUS_MIX, size)
    races = _weighted(rng, RACE_WEIGHTS, size)
    current_span = max(1, (min(day, current.cutoff) - current.starts).days)
    previous_span = (previous.cutoff - previous.starts).days
    for i in range(size):
        rid = next_ids["referral"]
        next_ids["referral"] += 1
        school_id = choice(school_ids)
        if in_previous[i]:
            year, status = previous, statuses_previous[i]
            created = dt.datetime.combine(previous.starts + dt.timedelta(days=randint(0, previous_span)),
                                          dt.time(randint(7, 16), randint(0, 59)))
        else:
            year, status = current, statuses_current[i]
            if status == Status.DRAFT:  # drafts are young: the purge removes them at 30 days
                created = moment - dt.timedelta(days=randint(0, 29), hours=randint(0, 8))
            else:
                created = dt.datetime.combine(current.starts + dt.timedelta(days=randint(0, current_span)),
                                              dt.time(randint(7, 16), randint(0, 59)))
                fallback = dt.timedelta(hours=randint(1, 48))  # drawn always, for repeatability
                if created > moment:
                    created = moment - fallback
        sex = "F" if random_() < 0.48 else ("M" if random_() < 0.96 else "X")
        first = choice(pools.first_f if sex == "F" else pools.first_m if sex == "M" else pools.first_x)
        last = choice(pools.last)
        grade = randint(6, 12)
        # Ages that fit the grade (a 6th grader is 11 or 12 in the fall), mostly 12 to 16.
        dob = dt.date(year.starts.year - min(grade + 6, 17) + (1 if random_() < 0.25 else 0),
                      randint(1, 12), randint(1, 28))
        high_school = grade >= 9
        interpreter = random_() < 0.12
        full, half = randint(5, 20), randint(0, 6)
        is_re = random_() < 0.08 and year is current
        city = choice(pools.cities)
        zip_code = f"55{randint(0, 999):03d}"
        has_iep, has_504 = random_() < 0.18, random_() < 0.08
        staff = choice(pools.staff)
        path = PATHS[status]
        submitted = created + dt.timedelta(days=randint(0, 6), hours=randint(0, 5)) if path else None
        if submitted is not None and submitted > moment:  # nothing happens in the future
            submitted = created + (moment - created) / 2
        ref_rows.append((
            rid, school_id, year.id, status.value, creator_for.get(school_id),
            caseworker_id if status in (Status.ACCEPTED, Status.CLOSED) else None,
            created, submitted or created, submitted,
            f"{last.lower()}|{first.lower()}|{dob.isoformat()}",
            first, choice(pools.first_m) if random_() < 0.5 else None, last, dob,
            sex, races[i].value, choice(pools.streets), city, "MN", zip_code, grade,
            float(randint(0, 18) + (grade - 9) * 5) if high_school else None,
            float(randint(20, 24) * 2) if high_school else None,
            interpreter, choice(LANGUAGES) if interpreter else None, full, half,
            randint(0, 12), randint(0, 25),
            "Synthetic demo referral. Partial-day absences noted in the attendance record." if random_() < 0.4 else None,
            is_re,
            json.dumps([(year.starts - dt.timedelta(days=200 - 9 * k)).isoformat() for k in range(4)]) if is_re else None,
            json.dumps([(year.starts + dt.timedelta(days=20 + 7 * k)).isoformat() for k in range(3)]) if is_re else None,
            school_id in online_ids and random_() < 0.7, school_id in online_ids and random_() < 0.3,
            has_504, has_iep, False,
            "Synthetic description of support services." if (has_iep or has_504) else None,
            staff, f"651-555-{randint(0, 9999):04d}", f"attendance{randint(1, 99)}@example.org",
            choice(pools.staff) if random_() < 0.6 else None,
            f"casemanager{randint(1, 99)}@example.org" if random_() < 0.6 else None,
        ))
        # Family: one or two guardians with a phone.
        for k in range(1 if random_() < 0.6 else 2):
            fam_rows.append((
                rid, f"{choice(pools.first_f if k == 0 else pools.first_m)} {last}", choice(RELATIONSHIPS),
                None, city, "MN", zip_code, f"612-555-{randint(0, 9999):04d}",
                f"651-555-{randint(0, 9999):04d}" if random_() < 0.3 else None, None,
                f"guardian{rid}-{k}@example.org" if random_() < 0.5 else None,
                interpreter, choice(LANGUAGES) if interpreter else None,
            ))
        start_day = created.date()
        int_rows.append((rid, InterventionKind.WARNING_LETTER_3_DAY.value, start_day - dt.timedelta(days=randint(10, 40)), None))
        if random_() < 0.85:
            int_rows.append((rid, InterventionKind.PARENT_MEETING.value, start_day - dt.timedelta(days=randint(1, 9)), None))
        else:
            int_rows.append((rid, InterventionKind.PARENT_MEETING.value, None, "Parent did not respond to three invitations."))
        for kind in rng.sample(CHECKLIST, randint(0, 3)):
            int_rows.append((rid, kind.value, None, None))
        if path or random_() < 0.7:
            att_rows.append((rid, "attendance_record", "attendance-record.pdf", "application/pdf", pdf_size, sha,
                             creator_for.get(school_id), created + dt.timedelta(minutes=5)))
        if school_id in online_ids and path:
            att_rows.append((rid, "disenrollment_evidence", "disenrollment-notice.pdf", "application/pdf",
                             pdf_size, sha, creator_for.get(school_id), created + dt.timedelta(minutes=6)))
        # Status history along the path, spaced over the days after submission.
        previous_status, at = Status.DRAFT, submitted
        for step, to_status in enumerate(path):
            if step:
                at = at + dt.timedelta(days=randint(1, 12), hours=randint(0, 6))
                if at > moment:
                    at = max(submitted, moment - dt.timedelta(minutes=len(path) - step))
            by = creator_for.get(school_id) if to_status in (Status.SUBMITTED, Status.WITHDRAWN) else caseworker_id
            reason = choice(list(CloseReason)).value if to_status == Status.CLOSED else None
            st_rows.append((rid, previous_status.value, to_status.value, by, at, NOTES.get(to_status), reason))
            previous_status = to_status
    return rows

