"""The portal CLI: every command with good and bad input. Bad input exits non-zero with one
clear line and leaves nothing behind."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.factories import count_rows
from app.models import District, PortalUser, School, SchoolYear


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["portal", *args])

    return invoke




def assert_refused(result, text):
    assert result.exit_code != 0
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert text.lower() in lines[0].lower(), lines[0]


def test_create_district_is_idempotent(app, run):
    assert run("create-district", "--name", "Riverbend ISD").exit_code == 0
    again = run("create-district", "--name", "  riverbend isd ")
    assert again.exit_code == 0 and "Exists" in again.output
    assert count_rows(app, District) == 1


def test_create_district_refuses_empty_name(app, run):
    assert_refused(run("create-district", "--name", "  "), "needs a name")


def test_create_school(app, run):
    run("create-district", "--name", "Riverbend ISD")
    ok = run("create-school", "--name", "Lakeside Online", "--district", "Riverbend ISD", "--kind", "online")
    assert ok.exit_code == 0, ok.output
    assert run("create-school", "--name", "Lakeside Online", "--district", "Riverbend ISD",
               "--kind", "online").exit_code == 0
    assert count_rows(app, School, kind="online") == 1


@pytest.mark.parametrize("args,message", [
    (["--name", "X", "--district", "Nowhere ISD", "--kind", "public"], "no district"),
    (["--name", "X", "--district", "Riverbend ISD", "--kind", "boarding"], "invalid value"),
    (["--name", "Lakeside", "--district", "Riverbend ISD", "--kind", "charter"], "already exists"),
])
def test_create_school_refusals(app, run, args, message):
    run("create-district", "--name", "Riverbend ISD")
    run("create-school", "--name", "Lakeside", "--district", "Riverbend ISD", "--kind", "public")
    result = run("create-school", *args)
    assert result.exit_code != 0
    assert message in result.output.lower()
    assert count_rows(app, School) == 1


def _school(run):
    run("create-district", "--name", "Riverbend ISD")
    run("create-school", "--name", "Lakeside", "--district", "Riverbend ISD", "--kind", "public")


USER = ["--username", "jdoe", "--password", "a long enough passphrase", "--email", "jdoe@example.org",
        "--first-name", "Jo", "--last-name", "Doe"]


def test_create_school_user(app, run):
    _school(run)
    result = run("create-user", *USER, "--role", "School Staff", "--school", "Lakeside")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "jdoe"))
        assert user.school.name == "Lakeside" and [r.name for r in user.roles] == ["School Staff"]
        assert user.password != "a long enough passphrase"


def test_create_county_user(app, run):
    result = run("create-user", *USER, "--role", "County Staff")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("extra,message", [
    (["--role", "School Staff"], "must belong to a school"),
    (["--role", "County Admin", "--school", "Lakeside"], "county users do not belong"),
    (["--role", "School Staff", "--school", "Atlantis"], "no school named"),
    (["--role", "Janitor"], "invalid value"),
])
def test_create_user_role_and_school_rules(app, run, extra, message):
    _school(run)
    assert_refused(run("create-user", *USER, *extra), message)
    assert count_rows(app, PortalUser) == 0


@pytest.mark.parametrize("password,message", [
    ("short pass", "at least 12"),
    ("x" * 129, "at most 128"),
    ("qwerty123456", "too common"),
    ("jdoe-is-my-secret-word", "must not contain the username"),
])
def test_create_user_password_policy(app, run, password, message):
    args = list(USER)
    args[args.index("--password") + 1] = password
    assert_refused(run("create-user", *args, "--role", "County Staff"), message)
    assert count_rows(app, PortalUser) == 0


def test_password_boundaries(app, run):
    for length, ok in ((11, False), (12, True), (128, True), (129, False)):
        args = list(USER)
        args[args.index("--password") + 1] = "q" * (length - 4) + "z7!w"
        args[args.index("--username") + 1] = f"user{length}"
        args[args.index("--email") + 1] = f"user{length}@example.org"
        result = run("create-user", *args, "--role", "County Staff")
        assert (result.exit_code == 0) is ok, (length, result.output)


def test_create_user_refuses_duplicates(app, run):
    assert run("create-user", *USER, "--role", "County Staff").exit_code == 0
    assert_refused(run("create-user", *USER, "--role", "County Staff"), "taken")
    other = list(USER)
    other[other.index("--username") + 1] = "someoneelse"
    assert_refused(run("create-user", *other, "--role", "County Staff"), "another user has this email")
    assert count_rows(app, PortalUser) == 1


def test_create_user_refuses_bad_email(app, run):
    args = list(USER)
    args[args.index("--email") + 1] = "not-an-email"
    assert_refused(run("create-user", *args, "--role", "County Staff"), "valid email")


YEAR = ["--name", "2026-2027", "--starts", "2026-09-01", "--cutoff", "2027-04-30"]


def test_school_year_creates_with_defaults_then_updates(app, run):
    assert run("school-year", *YEAR).exit_code == 0
    with app.app_context():
        year = db.session.scalar(select(SchoolYear))
        assert (year.min_age, year.max_age, year.min_days, year.re_referral_days) == (12, 16, 7, 3)
    updated = run("school-year", *YEAR, "--min-days", "6", "--ends", "2027-06-15")
    assert updated.exit_code == 0 and "Updated" in updated.output
    with app.app_context():
        year = db.session.scalar(select(SchoolYear))
        assert year.min_days == 6 and year.min_age == 12 and str(year.ends) == "2027-06-15"
    assert count_rows(app, SchoolYear) == 1


@pytest.mark.parametrize("args,message", [
    (["--name", "2026-2027", "--starts", "2026-09-01", "--cutoff", "2026-09-01"], "cutoff must come after"),
    (["--name", "2026-2027", "--starts", "2026-09-01", "--cutoff", "2027-04-30", "--ends", "2027-04-29"],
     "end must be on or after"),
    (["--name", "2026-2027", "--starts", "2026-09-01", "--cutoff", "2027-04-30", "--min-age", "16",
      "--max-age", "12"], "maximum age"),
    (["--name", "2026-2028", "--starts", "2026-09-01", "--cutoff", "2027-04-30"], "2026-2027"),
    (["--name", "2026-2027", "--starts", "2026-13-01", "--cutoff", "2027-04-30"], "not a date"),
    (["--name", "2026-2027", "--starts", "2026-09-01", "--cutoff", "2027-04-30", "--min-days", "-1"],
     "must not be negative"),
])
def test_school_year_refusals(app, run, args, message):
    result = run("school-year", *args)
    assert result.exit_code != 0
    assert message.lower() in result.output.lower(), result.output
    assert count_rows(app, SchoolYear) == 0


def test_sync_roles(app, run):
    result = run("sync-roles")
    assert result.exit_code == 0 and "School Staff" in result.output


def test_demo_data_is_repeatable_and_refuses_a_full_database(app, run):
    result = run("demo-data", "--schools", "6", "--referrals", "120", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "clerk" in result.output and "County Admin" in result.output
    with app.app_context():
        from app.models import Attachment, FamilyMember, Intervention, Referral

        statuses = set(db.session.scalars(select(Referral.status).distinct()))
        assert {"draft", "submitted", "under_review", "accepted", "closed"} <= statuses
        assert db.session.scalar(select(func.count(School.id)).where(School.kind == "online")) == 1
        assert db.session.scalar(select(func.count(FamilyMember.id))) >= 120
        assert db.session.scalar(select(func.count(Intervention.id))) >= 240
        assert db.session.scalar(select(func.count(Attachment.id))) > 0
    refused = run("demo-data", "--referrals", "10")
    assert_refused(refused, "not empty")
    assert run("demo-data", "--if-empty").exit_code == 0


def test_demo_data_same_seed_same_people(app, run):
    run("demo-data", "--schools", "4", "--referrals", "30", "--seed", "11")
    with app.app_context():
        from app.models import Referral

        first = db.session.execute(select(Referral.student_first_name, Referral.student_last_name,
                                          Referral.student_dob, Referral.status, Referral.created_at,
                                          School.name).join(School, School.id == Referral.school_id)
                                   .order_by(Referral.id)).all()
    # Empty the database again (as the per-test cleanup does) and load with the same seed.
    from tests.conftest import KEEP_TABLES

    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in KEEP_TABLES:
                    conn.execute(table.delete())
    run("demo-data", "--schools", "4", "--referrals", "30", "--seed", "11")
    with app.app_context():
        second = db.session.execute(select(Referral.student_first_name, Referral.student_last_name,
                                           Referral.student_dob, Referral.status, Referral.created_at,
                                          School.name).join(School, School.id == Referral.school_id)
                                   .order_by(Referral.id)).all()
    assert first == second and len(first) == 30


def test_demo_data_rejects_bad_numbers(app, run):
    result = run("demo-data", "--referrals", "-5")
    assert result.exit_code != 0 and "invalid value" in result.output.lower()


def test_demo_data_never_dates_anything_in_the_future(app, run):
    run("demo-data", "--schools", "5", "--referrals", "400", "--seed", "3")
    with app.app_context():
        from app.clock import now
        from app.models import Referral, StatusChange

        latest = now()
        assert db.session.scalar(select(func.max(Referral.submitted_at))) <= latest
        assert db.session.scalar(select(func.max(StatusChange.changed_at))) <= latest
        assert db.session.scalar(select(func.count(Referral.id)).where(Referral.submitted_at < Referral.created_at)) == 0
