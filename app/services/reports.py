"""Aggregate reports: the county dashboard, the summary API, exports and the yearly district
report. Counts come from SQL GROUP BY on the referral table alone (school, district and kind
are mapped afterwards from the small school table), so a year of a million referrals is one
index scan. Every function takes the caller's scope; school staff see their own school only.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from app.database import as_id
from app.extensions import db
from app.models import District, Intervention, Referral, ReferralTally, School, SchoolYear, StatusChange
from app.models.enums import InterventionKind, Race, Sex, Status
from app.security import Scope
from app.services.errors import ValidationFailed

GROUPS = ("district", "school", "status", "grade", "sex", "race", "month", "kind")
DECISIONS = (Status.ACCEPTED.value, Status.DECLINED.value)
SMALL_CELL = 10  # counts from 1 to 9 leave the county as "<10"


def _month_text(value) -> str | None:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


@dataclass
class Directory:
    schools: dict[int, tuple[str, int, str]]  # id -> (name, district id, kind)
    districts: dict[int, str]

    @classmethod
    def load(cls) -> "Directory":
        schools = {sid: (name, did, kind) for sid, name, did, kind in
                   db.session.execute(select(School.id, School.name, School.district_id, School.kind))}
        districts = dict(db.session.execute(select(District.id, District.name)).all())
        return cls(schools, districts)


def resolve_year(value) -> SchoolYear:
    """A school year by id or by name (such as 2026-2027)."""
    text = str(value or "").strip()
    query = select(SchoolYear).where(SchoolYear.id == as_id(text)) if as_id(text) is not None else \
        select(SchoolYear).where(SchoolYear.name == text)
    year = db.session.scalar(query) if text else None
    if year is None:
        raise ValidationFailed(_("Unknown school year."), {"school_year": [_("Give a school year such as 2026-2027.")]})
    return year


def _conditions(scope: Scope, year: SchoolYear, district: int | None, school: int | None, table=Referral):
    conditions = [table.school_year_id == year.id, scope.clause(table.school_id)]
    if school:
        conditions.append(table.school_id == school)
    if district:
        conditions.append(table.school_id.in_(select(School.id).where(School.district_id == district)))
    return conditions


_SENTINELS = {"grade": -1, "sex": "", "race": ""}


def summary(scope: Scope, year: SchoolYear, group_by: list[str], district: int | None = None,
            school: int | None = None) -> list[dict]:
    """Referral counts of ``year`` grouped by ``group_by`` (names of ``GROUPS``), read from the
    running tallies (``referral_tally``)."""
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or not group_by or len(set(group_by)) != len(group_by):
        raise ValidationFailed(_("Choose what to group by."), {"group_by": [
            _("Use one or more of: %(groups)s.", groups=", ".join(GROUPS))]})
    t = ReferralTally
    base = {"status": t.status, "grade": t.grade, "sex": t.sex, "race": t.race, "month": t.month}
    needs_school = any(g in ("district", "school", "kind") for g in group_by)
    columns = [base[g].label(g) for g in group_by if g in base]
    if needs_school:
        columns.append(t.school_id.label("school_id"))
    rows = db.session.execute(
        select(*columns, func.sum(t.n).label("count"))
        .where(*_conditions(scope, year, district, school, table=t))
        .group_by(*columns)
    ).all()
    directory = Directory.load() if needs_school else None
    totals: Counter = Counter()
    for row in rows:
        mapping = row._mapping
        if not mapping["count"]:
            continue
        key = []
        for group in group_by:
            if group == "school":
                key.append(directory.schools[mapping["school_id"]][0])
            elif group == "district":
                key.append(directory.districts[directory.schools[mapping["school_id"]][1]])
            elif group == "kind":
                key.append(directory.schools[mapping["school_id"]][2])
            elif group == "month":
                key.append(_month_text(mapping["month"]))
            else:
                value = mapping[group]
                key.append(None if value == _SENTINELS.get(group, object()) else value)
        totals[tuple(key)] += mapping["count"]
    result = [dict(zip(group_by, key), count=count) for key, count in totals.items()]
    return sorted(result, key=lambda r: tuple("" if r[g] is None else str(r[g]).zfill(4) for g in group_by))


@dataclass
class Dashboard:
    year: SchoolYear
    total: int
    by: dict[str, list[tuple[str, int]]]
    re_referral_rate: float | None
    interventions: list[tuple[str, int, float]]
    decision_days_median: float | None
    decision_days_p90: float | None
    decided: int
    returned_share: float | None


LABELS = {
    "status": {s.value: s.label for s in Status},
    "sex": {s.value: s.label for s in Sex},
    "race": {r.value: r.label for r in Race},
}


def _label(group: str, value) -> str:
    if value is None:
        return _("Not given")
    if group == "grade":
        return _("K") if value == 0 else str(value)
    return str(LABELS.get(group, {}).get(value, value))


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of ``values``."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))
    return ordered[index]


def dashboard(scope: Scope, year: SchoolYear, district: int | None = None, school: int | None = None) -> Dashboard:
    conditions = _conditions(scope, year, district, school)
    by = {}
    for group in ("month", "status", "district", "school", "grade", "sex", "race"):
        rows = summary(scope, year, [group], district, school)
        by[group] = [(_label(group, r[group]), r["count"]) for r in rows]
    total = sum(count for _, count in by["status"])
    submitted = db.session.scalar(select(func.count(Referral.id)).where(
        *conditions, Referral.status != Status.DRAFT.value))
    re_referrals = db.session.scalar(select(func.count(Referral.id)).where(*conditions, Referral.is_re_referral.is_(True)))
    kinds = dict(db.session.execute(
        select(Intervention.kind, func.count(distinct(Intervention.referral_id)))
        .join(Referral, Referral.id == Intervention.referral_id)
        .where(*conditions, Referral.status != Status.DRAFT.value)
        .group_by(Intervention.kind)).all())
    interventions = [(str(kind.label), kinds.get(kind.value, 0),
                      kinds.get(kind.value, 0) / submitted if submitted else 0.0) for kind in InterventionKind]
    decided_at = (select(StatusChange.referral_id, func.min(StatusChange.changed_at).label("at"))
                  .where(StatusChange.to_status.in_(DECISIONS)).group_by(StatusChange.referral_id).subquery())
    pairs = db.session.execute(
        select(Referral.submitted_at, decided_at.c.at)
        .join(decided_at, decided_at.c.referral_id == Referral.id)
        .where(*conditions, Referral.submitted_at.isnot(None))).all()
    days = [(at - sent).total_seconds() / 86400 for sent, at in pairs if at and sent and at >= sent]
    returned = db.session.scalar(
        select(func.count(distinct(StatusChange.referral_id)))
        .join(Referral, Referral.id == StatusChange.referral_id)
        .where(*conditions, StatusChange.to_status == Status.RETURNED.value))
    return Dashboard(
        year=year, total=total, by=by,
        re_referral_rate=re_referrals / total if total else None,
        interventions=interventions,
        decision_days_median=statistics.median(days) if days else None,
        decision_days_p90=percentile(days, 0.9), decided=len(days),
        returned_share=returned / submitted if submitted else None,
    )


def school_status_counts(scope: Scope, year: SchoolYear) -> list[tuple[str, int]]:
    """Counts by status of the scope's referrals this year (the School Staff summary)."""
    rows = dict(db.session.execute(
        select(Referral.status, func.count()).where(Referral.school_year_id == year.id,
                                                    scope.clause(Referral.school_id))
        .group_by(Referral.status)).all())
    return [(str(status.label), rows.get(status.value, 0)) for status in Status]


# --- Small-cell suppression -------------------------------------------------------------------


def suppress(cells: list[tuple[str, int]]) -> tuple[list[tuple[str, str]], str]:
    """Cells as shown outside the county, and their total. A count from 1 to 9 shows as "<10";
    when one cell of a table is hidden, the next smallest non-zero cell is hidden too, so the
    total cannot give it away; a total from 1 to 9 is hidden as well."""
    hidden = {i for i, (_, n) in enumerate(cells) if 0 < n < SMALL_CELL}
    if len(hidden) == 1:
        others = sorted((n, i) for i, (_, n) in enumerate(cells) if i not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    total = sum(n for _, n in cells)
    shown = [(label, "<10" if i in hidden else str(n)) for i, (label, n) in enumerate(cells)]
    return shown, ("<10" if 0 < total < SMALL_CELL else str(total))


def table_csv(title: str, rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title, _("Referrals")])
    writer.writerows(rows)
    return out.getvalue()


def workbook(sheets: dict[str, list[tuple]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([title, _("Referrals")])
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def district_tables(year: SchoolYear, district_id: int) -> dict[str, list[tuple[str, str]]]:
    """One district's figures for the year, suppressed, as ``title -> rows`` (with a total row)."""
    from app.security import ALL_SCHOOLS

    tables = {}
    for group, title in (("status", _("By status")), ("school", _("By school")), ("grade", _("By grade")),
                         ("sex", _("By sex")), ("race", _("By race")), ("month", _("By month"))):
        rows = summary(ALL_SCHOOLS, year, [group], district=district_id)
        cells = [(_label(group, r[group]), r["count"]) for r in rows]
        shown, total = suppress(cells)
        tables[title] = shown + [(_("Total"), total)]
    return tables


def write_district_reports(year: SchoolYear, out_dir: str) -> list[str]:
    """Write one XLSX and one CSV per district into ``out_dir``; return the file names."""
    import os
    import re

    os.makedirs(out_dir, exist_ok=True)
    written = []
    for district_id, name in db.session.execute(select(District.id, District.name).order_by(District.name)):
        tables = district_tables(year, district_id)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or f"district-{district_id}"
        base = os.path.join(out_dir, f"{year.name}-{slug}")
        with open(base + ".xlsx", "wb") as handle:
            handle.write(workbook(tables))
        with open(base + ".csv", "w", newline="", encoding="utf-8") as handle:
            for title, rows in tables.items():
                handle.write(table_csv(title, rows))
                handle.write("\n")
        written += [base + ".xlsx", base + ".csv"]
    return written
