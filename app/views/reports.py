"""The county dashboard and its exports (County Staff and County Admin)."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.database import as_id
from app.extensions import db
from app.security import current_scope
from app.services import audit, directory, reports
from app.services.errors import NotFound

TABLES = {
    "month": _l("By month"), "status": _l("By status"), "district": _l("By district"), "school": _l("By school"),
    "grade": _l("By grade"), "sex": _l("By sex"), "race": _l("By race"),
}


def _int(name):
    value = request.args.get(name, "")
    return as_id(value)


class ReportsView(BaseView):
    route_base = "/reports"
    default_view = "dashboard_page"
    method_permission_name = {"dashboard_page": "read", "export": "read"}
    class_permission_name = "Reports"

    def _year(self):
        from app.services.directory import school_year_for

        value = request.args.get("school_year")
        return reports.resolve_year(value) if value else school_year_for()

    @expose("/")
    @has_access
    def dashboard_page(self):
        year = self._year()
        if year is None:
            raise NotFound(_("No school year is set up yet."))
        district, school = _int("district"), _int("school")
        board = reports.dashboard(current_scope(), year, district, school)
        menus = directory.choices()
        return self.render_template(
            "reports/dashboard.html", board=board, year=year, menus=menus,
            filters={"district": district, "school": school}, tables=TABLES, title=_("Dashboard"),
            intervention_chart=[(name, count) for name, count, _share in board.interventions])

    @expose("/export/<table>.<fmt>")
    @has_access
    def export(self, table, fmt):
        if (table not in TABLES and table != "interventions") or fmt not in ("csv", "xlsx"):
            raise NotFound(_("Not found."))
        year = self._year()
        if table == "interventions":
            board = reports.dashboard(current_scope(), year, _int("district"), _int("school"))
            data = [(name, count) for name, count, _share in board.interventions]
            title = _("Interventions attempted before referral")
        else:
            rows = reports.summary(current_scope(), year, [table], _int("district"), _int("school"))
            data = [(reports._label(table, r[table]), r["count"]) for r in rows]
            title = str(TABLES[table])
        audit.record("export", "report", None, detail={"table": table, "format": fmt, "school_year": year.name,
                                                       "district": _int("district"), "school": _int("school")})
        db.session.commit()
        name = f"{year.name}-{table}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                   "X-Content-Type-Options": "nosniff"}
        if fmt == "csv":
            return Response(reports.table_csv(title, data), mimetype="text/csv", headers=headers)
        return Response(reports.workbook({title: data}), headers=headers,
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class SchoolSummaryView(BaseView):
    """School Staff: their own school's referrals this year, by status."""

    route_base = "/my-school"
    default_view = "summary"

    @expose("/")
    @has_access
    def summary(self):
        from app.services.directory import school_year_for

        year = school_year_for()
        if year is None:
            raise NotFound(_("No school year is set up yet."))
        counts = reports.school_status_counts(current_scope(), year)
        return self.render_template("reports/school.html", year=year, counts=counts,
                                    total=sum(n for _name, n in counts), title=_("My school this year"))
