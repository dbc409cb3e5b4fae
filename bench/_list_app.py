"""WSGI entry point for ``bench/list_pages.py`` (bench-only; never part of the ``app`` package).

    DATABASE_URL=... SECRET_KEY=... PORTAL_CHOICES_TTL=60 \
        .venv/bin/gunicorn -w 2 -b 127.0.0.1:8123 bench._list_app:app      # cwd = repository root

Builds the real portal from ``config.Config`` (which reads the environment) and adds two bare
Flask routes to the same app object:

- ``/bench/bare-list?school_id=<id or empty>&page=N``: the two queries of
  ``app.services.referrals.search()`` for an unfiltered list (the count, then one page of 25
  rows joined to the school, newest first), and the rows as a small HTML table;
- ``/bench/bare-api?school_id=<id or empty>&page=N``: the two queries of
  ``app.services.referrals.list_page()`` (the count, then 25 rows joined to the school and the
  school year, newest first), and the rows as JSON in the list API's shape.

Both run SQLAlchemy Core on a pooled connection. No FAB, no templates, no login, no session ORM
(so none of the portal's ORM hooks): the floor a list page or list call could reach here.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Response, jsonify, request
from markupsafe import escape
from sqlalchemy import func, select

from app import create_app
from app.extensions import csrf, db
from app.models import Referral, School, SchoolYear
from config import Config

PER_PAGE = 25  # app.views.referral_page.PER_PAGE


class BenchConfig(Config):
    """``Config`` as the environment sets it (DATABASE_URL, SECRET_KEY, PORTAL_CHOICES_TTL)."""


app = create_app(BenchConfig)

referral = Referral.__table__
school = School.__table__
school_year = SchoolYear.__table__


def _arguments() -> tuple[list, int]:
    """The school condition (none for an empty school_id: the county sees every school), and the page."""
    raw = (request.args.get("school_id") or "").strip()
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    return ([referral.c.school_id == int(raw)] if raw else []), page


def _count_and_page(columns, joined, conditions, page):
    """The count, then one page of 25 rows (newest first) of ``columns`` from ``joined``."""
    count_query = select(func.count(referral.c.id)).where(*conditions)
    page_query = (
        select(*columns).select_from(joined).where(*conditions)
        .order_by(referral.c.created_at.desc(), referral.c.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    with db.engine.connect() as conn:
        return conn.execute(count_query).scalar_one(), conn.execute(page_query).all()


@csrf.exempt
def bare_list():
    conditions, page = _arguments()
    total, rows = _count_and_page(
        (referral.c.id, referral.c.student_first_name, referral.c.student_last_name, referral.c.status,
         referral.c.student_grade, referral.c.created_at, referral.c.submitted_at, referral.c.is_re_referral,
         school.c.name.label("school_name")),
        referral.join(school, school.c.id == referral.c.school_id), conditions, page)
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in (
            row.id, row.student_first_name, row.student_last_name, row.status, row.student_grade,
            row.created_at, row.submitted_at, "yes" if row.is_re_referral else "no", row.school_name,
        )) + "</tr>"
        for row in rows
    )
    body = (
        "<!doctype html><html><head><meta charset=utf-8><title>bare list</title></head><body>"
        f"<p>{total:,} referrals, page {page}</p>"
        "<table><thead><tr><th>#</th><th>First</th><th>Last</th><th>Status</th><th>Grade</th>"
        "<th>Created</th><th>Submitted</th><th>Re-referral</th><th>School</th></tr></thead>"
        f"<tbody>{cells}</tbody></table></body></html>"
    )
    return Response(body, mimetype="text/html")


@csrf.exempt
def bare_api():
    conditions, page = _arguments()
    total, rows = _count_and_page(
        (referral.c.id, referral.c.status, referral.c.student_first_name, referral.c.student_last_name,
         referral.c.student_grade, referral.c.created_at, referral.c.submitted_at, referral.c.school_id,
         school.c.name.label("school_name"), school_year.c.name.label("school_year_name")),
        referral.join(school, school.c.id == referral.c.school_id)
        .join(school_year, school_year.c.id == referral.c.school_year_id), conditions, page)
    return jsonify(count=total, ids=[row.id for row in rows], result=[{
        "id": row.id, "status": row.status, "student_first_name": row.student_first_name,
        "student_last_name": row.student_last_name, "student_grade": row.student_grade,
        "created_at": row.created_at.isoformat(),
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "school": {"id": row.school_id, "name": row.school_name}, "school_year": {"name": row.school_year_name},
    } for row in rows])


app.add_url_rule("/bench/bare-list", "bench_bare_list", bare_list)
app.add_url_rule("/bench/bare-api", "bench_bare_api", bare_api)
