"""Keeping ``referral_tally`` current: every insert, change and delete of a referral adjusts
it in the same transaction (ORM events for ORM writes; explicit calls where a service writes
with Core: status moves and the purge). ``rebuild`` recomputes it from the referrals (after a
bulk load, and nightly by the scheduler, so a count can never drift for long); a count never
goes below zero, so a drift can only affect a report, never block a change.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, event, func, insert, literal_column, select

from app.models import Referral
from app.models.tally import ReferralTally

KEY = ("school_year_id", "school_id", "status", "student_grade", "student_sex", "student_race", "created_at")


def _month(value) -> dt.date:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return dt.date(value.year, value.month, 1)


def key_of(values: dict) -> dict:
    """The tally key of a referral's values (``KEY`` names), with the sentinels for missing ones."""
    grade = values["student_grade"]
    return {
        "school_year_id": values["school_year_id"], "school_id": values["school_id"],
        "status": values["status"], "grade": -1 if grade is None else grade,
        "sex": values["student_sex"] or "", "race": values["student_race"] or "",
        "month": _month(values["created_at"]),
    }


def bump(connection, key: dict, delta: int) -> None:
    """Add ``delta`` to the count of ``key`` (never below zero)."""
    if delta == 0:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(ReferralTally).values(**key, n=max(delta, 0))
    statement = statement.on_conflict_do_update(
        index_elements=["school_year_id", "school_id", "status", "grade", "sex", "race", "month"],
        set_={"n": func.max(ReferralTally.n + delta, 0) if connection.dialect.name == "sqlite"
              else func.greatest(ReferralTally.n + delta, 0)},
    )
    connection.execute(statement)


def _values(target, old: bool = False) -> dict:
    from sqlalchemy import inspect

    state = inspect(target)
    values = {}
    for name in KEY:
        attr = state.attrs[name]
        history = attr.history
        if old and history.deleted:
            values[name] = history.deleted[0]
        elif old and history.unchanged:
            values[name] = history.unchanged[0]
        else:
            values[name] = attr.value
    return values


def _after_insert(_mapper, connection, target):
    bump(connection, key_of(_values(target)), +1)


def _after_update(_mapper, connection, target):
    old, new = key_of(_values(target, old=True)), key_of(_values(target))
    if old != new:
        bump(connection, old, -1)
        bump(connection, new, +1)


def _after_delete(_mapper, connection, target):
    bump(connection, key_of(_values(target, old=True)), -1)


def install() -> None:
    for name, handler in (("after_insert", _after_insert), ("after_update", _after_update),
                          ("after_delete", _after_delete)):
        if not event.contains(Referral, name, handler):
            event.listen(Referral, name, handler)


def moved(connection, referral_values: dict, new_status: str) -> None:
    """A Core status update: move one count from the old status to ``new_status``."""
    old = key_of(referral_values)
    bump(connection, old, -1)
    bump(connection, {**old, "status": new_status}, +1)


def removed(connection, ids_condition) -> None:
    """Before a Core delete of the referrals matching ``ids_condition``: take them off."""
    rows = connection.execute(
        select(*[getattr(Referral, name) for name in KEY[:-1]], _month_column(connection).label("m"),
               func.count().label("c"))
        .where(ids_condition).group_by(*[getattr(Referral, name) for name in KEY[:-1]], literal_column("m"))
    ).all()
    for row in rows:
        values = dict(zip(KEY[:-1], row[:-2]))
        values["created_at"] = row.m if not isinstance(row.m, str) else dt.datetime.fromisoformat(row.m + "-01")
        bump(connection, key_of(values), -row.c)


def _month_column(connection):
    if connection.dialect.name == "postgresql":
        return func.date_trunc(literal_column("'month'"), Referral.created_at)
    return func.strftime(literal_column("'%Y-%m'"), Referral.created_at)


def rebuild(connection) -> int:
    """Recompute every count from the referrals; returns the number of tally rows."""
    month = (func.date_trunc(literal_column("'month'"), Referral.created_at)
             if connection.dialect.name == "postgresql"
             else func.date(Referral.created_at, literal_column("'start of month'")))
    grade = func.coalesce(Referral.student_grade, -1)
    sex = func.coalesce(Referral.student_sex, "")
    race = func.coalesce(Referral.student_race, "")
    connection.execute(delete(ReferralTally))
    connection.execute(insert(ReferralTally).from_select(
        ["school_year_id", "school_id", "status", "grade", "sex", "race", "month", "n"],
        select(Referral.school_year_id, Referral.school_id, Referral.status, grade, sex, race,
               month, func.count())
        .group_by(Referral.school_year_id, Referral.school_id, Referral.status, grade, sex, race, month)))
    return connection.execute(select(func.count()).select_from(ReferralTally)).scalar()
