"""Reports: counts equal a hand-computed fixture; filters and groupings; suppression;
exports hold the same numbers as the page; county roles only."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, PortalUser, School, SchoolYear, StatusChange
from app.services import reports
from tests import factories
from tests.conftest import api_token, login
from tests.factories import count_rows

# (school key, status, grade, sex, race, month created) - the hand-computed fixture
ROWS = [
    ("north", "submitted", 8, "F", "white", 10),
    ("north", "submitted", 8, "M", "black", 10),
    ("north", "accepted", 9, "F", "hispanic", 11),
    ("north", "draft", 7, "F", "white", 11),
    ("south", "declined", 10, "M", "white", 9),
    ("south", "returned", 10, "X", "asian", 11),
    ("south", "submitted", 11, "F", "white", 11),
]


@pytest.fixture
def fixture(app, world):
    with app.app_context():
        year = db.session.get(SchoolYear, world.year)
        schools = {"north": db.session.get(School, world.north), "south": db.session.get(School, world.south)}
        # The world's two drafts are cleared, so the counts below are the fixture's alone.
        from app.models import Referral

        for referral in db.session.scalars(select(Referral)):
            db.session.delete(referral)
        db.session.flush()
        ids = []
        for index, (school, status, grade, sex, race, month) in enumerate(ROWS):
            referral = factories.make_referral(schools[school], year, status=status, first=f"R{index}", last="Fixture",
                                               student_grade=grade, student_sex=sex, student_race=race)
            referral.created_at = dt.datetime(2026, month, 5, 10, 0)
            if status != "draft":
                referral.submitted_at = dt.datetime(2026, month, 6, 10, 0)
            ids.append(referral.id)
        # Decisions: accepted after 4 days, declined after 10 days; one referral was returned.
        db.session.add_all([
            StatusChange(referral_id=ids[2], from_status="under_review", to_status="accepted",
                         changed_at=dt.datetime(2026, 11, 10, 10, 0)),
            StatusChange(referral_id=ids[4], from_status="under_review", to_status="declined",
                         changed_at=dt.datetime(2026, 9, 16, 10, 0)),
            StatusChange(referral_id=ids[5], from_status="submitted", to_status="returned",
                         changed_at=dt.datetime(2026, 11, 7, 10, 0)),
        ])
        db.session.commit()
        return year.id


@pytest.mark.parametrize("groups,expected", [
    (["status"], {("accepted",): 1, ("declined",): 1, ("draft",): 1, ("returned",): 1, ("submitted",): 3}),
    (["school"], {("North Middle School",): 4, ("South High School",): 3}),
    (["district"], {("Riverbend ISD 101",): 4, ("Lakeview ISD 202",): 3}),
    (["month"], {("2026-09",): 1, ("2026-10",): 2, ("2026-11",): 4}),
    (["grade", "sex"], {(8, "F"): 1, (8, "M"): 1, (9, "F"): 1, (7, "F"): 1, (10, "M"): 1, (10, "X"): 1, (11, "F"): 1}),
    (["school", "status"], {("North Middle School", "submitted"): 2, ("North Middle School", "accepted"): 1,
                            ("North Middle School", "draft"): 1, ("South High School", "declined"): 1,
                            ("South High School", "returned"): 1, ("South High School", "submitted"): 1}),
    (["kind", "race"], {("public", "white"): 4, ("public", "black"): 1, ("public", "hispanic"): 1, ("public", "asian"): 1}),
])
def test_summary_counts_equal_the_fixture(app, fixture, groups, expected):
    from app.security import ALL_SCHOOLS

    with app.app_context():
        year = db.session.get(SchoolYear, fixture)
        result = reports.summary(ALL_SCHOOLS, year, groups)
    assert {tuple(r[g] for g in groups): r["count"] for r in result} == expected


def test_summary_filters_by_district_and_school(app, world, fixture):
    from app.security import ALL_SCHOOLS

    with app.app_context():
        year = db.session.get(SchoolYear, fixture)
        north_district = db.session.get(School, world.north).district_id
        by_district = reports.summary(ALL_SCHOOLS, year, ["status"], district=north_district)
        by_school = reports.summary(ALL_SCHOOLS, year, ["status"], school=world.south)
    assert sum(r["count"] for r in by_district) == 4
    assert {r["status"]: r["count"] for r in by_school} == {"declined": 1, "returned": 1, "submitted": 1}


def test_dashboard_figures(app, fixture):
    from app.security import ALL_SCHOOLS

    with app.app_context():
        board = reports.dashboard(ALL_SCHOOLS, db.session.get(SchoolYear, fixture))
    assert board.total == 7
    assert board.decided == 2 and board.decision_days_median == 7.0 and board.decision_days_p90 == 10.0
    assert board.returned_share == pytest.approx(1 / 6)  # one of six submitted
    assert board.re_referral_rate == 0


def test_summary_api(app, fixture):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'caseworker')}"}
    response = client.get("/api/v1/report/summary?school_year=2026-2027&group_by=school,status", headers=headers)
    assert response.status_code == 200
    assert {"school": "South High School", "status": "declined", "count": 1} in response.json["result"]
    bad = client.get("/api/v1/report/summary?school_year=2026-2027&group_by=shoe_size", headers=headers)
    assert bad.status_code == 422 and "group_by" in bad.json["errors"]
    unknown = client.get("/api/v1/report/summary?school_year=1999-2000&group_by=status", headers=headers)
    assert unknown.status_code == 422


@pytest.mark.parametrize("username", ["clerk", "southclerk"])
def test_school_staff_cannot_see_county_figures(app, fixture, username):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, username)}"}
    assert client.get("/api/v1/report/summary?school_year=2026-2027&group_by=status",
                      headers=headers).status_code == 403
    page = login(app.test_client(), username)
    assert page.get("/reports/").status_code == 403
    assert page.get("/reports/export/status.csv").status_code == 403


def test_school_staff_see_their_own_school_summary(app, fixture):
    page = login(app.test_client(), "clerk").get("/my-school/").data.decode()
    assert "4 referrals of your school" in page
    assert login(app.test_client(), "caseworker").get("/my-school/").status_code == 403


def test_dashboard_page_renders_charts_and_tables(app, fixture):
    page = login(app.test_client(), "caseworker").get("/reports/?school_year=2026-2027").data.decode()
    assert page.count("<svg") >= 8 and "South High School" in page
    assert "7.0 / 10.0" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_the_page_numbers_and_are_audited(app, fixture, fmt):
    client = login(app.test_client(), "caseworker")
    response = client.get(f"/reports/export/status.{fmt}?school_year=2026-2027")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.data.decode())))[1:]
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = [[str(c) for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert {name: int(count) for name, count in rows} == {"Submitted": 3, "Accepted": 1, "Declined": 1,
                                                         "Draft": 1, "Returned": 1}
    assert count_rows(app, AuditEvent, action="export") == 1


@pytest.mark.parametrize("cells,shown,total", [
    ([("a", 50), ("b", 20)], ["50", "20"], "70"),
    ([("a", 50), ("b", 3), ("c", 20)], ["50", "<10", "<10"], "73"),    # complementary: 20 hidden too
    ([("a", 50), ("b", 3), ("c", 4)], ["50", "<10", "<10"], "57"),     # two small: nothing more needed
    ([("a", 0), ("b", 12)], ["0", "12"], "12"),                        # zero is not a small cell
    ([("a", 5)], ["<10"], "<10"),                                      # the total gives it away: hidden
    ([("a", 9), ("b", 10)], ["<10", "<10"], "19"),                     # 9 is small, 10 is not
])
def test_small_cell_suppression(cells, shown, total):
    result, result_total = reports.suppress(cells)
    assert [value for _, value in result] == shown and result_total == total


def test_district_report_command(app, fixture, tmp_path):
    result = app.test_cli_runner().invoke(args=["portal", "district-report", "--school-year", "2026-2027",
                                                "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["2026-2027-lakeview-isd-202.csv", "2026-2027-lakeview-isd-202.xlsx",
                     "2026-2027-riverbend-isd-101.csv", "2026-2027-riverbend-isd-101.xlsx"]
    book = load_workbook(tmp_path / "2026-2027-lakeview-isd-202.xlsx")
    status = {row[0]: row[1] for row in book["By status"].iter_rows(min_row=2, values_only=True)}
    assert status == {"Declined": "<10", "Returned": "<10", "Submitted": "<10", "Total": "<10"}
    bad = app.test_cli_runner().invoke(args=["portal", "district-report", "--school-year", "1999-2000",
                                             "--out", str(tmp_path)])
    assert bad.exit_code != 0 and "Unknown school year" in bad.output


def _tally_matches_referrals(app) -> tuple[dict, dict]:
    from collections import Counter

    from app.models import Referral, ReferralTally
    from app.services.tally import KEY, key_of

    with app.app_context():
        kept = {(t.school_year_id, t.school_id, t.status, t.grade, t.sex, t.race, t.month): t.n
                for t in db.session.scalars(select(ReferralTally)) if t.n}
        expected = Counter()
        for row in db.session.execute(select(*[getattr(Referral, k) for k in KEY])):
            key = key_of(dict(zip(KEY, row)))
            expected[tuple(key.values())] += 1
        return kept, dict(expected)


def test_tallies_follow_every_change(app, world):
    from tests.conftest import api_token

    kept, expected = _tally_matches_referrals(app)
    assert kept == expected and sum(kept.values()) == 2
    clerk = login(app.test_client(), "clerk")
    clerk.post("/referrals/new", data={"student_first_name": "Tia", "student_last_name": "Tally"})
    clerk.post(f"/referrals/{world.own}/save", data={"student_first_name": "Nora", "student_last_name": "Northfield",
                                                    "student_grade": "9", "student_sex": "F", "student_race": "asian"})
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'clerk')}"}
    created = api.post("/api/v1/referral/", json={"student_first_name": "Api", "student_last_name": "Made"}, headers=headers)
    api.put(f"/api/v1/referral/{created.json['id']}", json={"student_grade": 7}, headers=headers)
    api.delete(f"/api/v1/referral/{created.json['id']}", headers=headers)
    with app.app_context():
        from app.models import Referral
        from app.services import workflow

        referral = db.session.get(Referral, world.other)
        referral.status = "submitted"  # an ORM status change
        db.session.commit()
        staff = db.session.scalar(select(PortalUser).where(PortalUser.username == "caseworker"))
        workflow.transition(db.session.get(Referral, world.other), "under_review", staff)  # a Core one
        db.session.commit()
    kept, expected = _tally_matches_referrals(app)
    assert kept == expected and sum(kept.values()) == 3
    with app.app_context():
        from app.services.purge import purge_drafts

        purge_drafts(reference=dt.datetime(2027, 2, 1, 12, 0))  # every draft is old by then
    kept, expected = _tally_matches_referrals(app)
    assert kept == expected and sum(kept.values()) == 1


def test_rebuild_command_repairs_a_drifted_tally(app, world):
    from app.models import ReferralTally

    with app.app_context():
        db.session.execute(ReferralTally.__table__.update().values(n=99))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "rebuild-report-tallies"])
    assert result.exit_code == 0
    kept, expected = _tally_matches_referrals(app)
    assert kept == expected


def test_interventions_table_exports_too(app, fixture):
    client = login(app.test_client(), "caseworker")
    response = client.get("/reports/export/interventions.xlsx?school_year=2026-2027")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 21 and all(count == 0 for _name, count in rows)
    assert client.get("/reports/export/nothing.csv?school_year=2026-2027").status_code == 404
