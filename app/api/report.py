"""GET /api/v1/report/summary (contract section 3), from the same service as the dashboard."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.api.base import ErrorShapeMixin
from app.database import as_id
from app.extensions import db
from app.security import current_scope, is_county_user, request_user
from app.services import audit, reports
from app.services.errors import PortalError


class ReportApi(ErrorShapeMixin, BaseApi):
    resource_name = "report"
    openapi_spec_tag = "Reports"

    @expose("/summary", methods=["GET"])
    @protect()
    @safe
    @permission_name("summary")
    def summary(self):
        """Referral counts of a school year, grouped (county roles only).
        ---
        get:
          parameters:
          - {in: query, name: school_year, required: true, schema: {type: string}, description: 'Name (2026-2027) or id'}
          - {in: query, name: group_by, required: true, schema: {type: string},
             description: 'Comma-separated: district, school, status, grade, sex, race, month, kind'}
          - {in: query, name: district, schema: {type: integer}}
          - {in: query, name: school, schema: {type: integer}}
          responses:
            200: {description: '{"result": [{"<group>": value, ..., "count": n}]}'}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            422: {description: An unknown school year or group}
        """
        if not is_county_user(request_user()):
            return self.response_403()
        try:
            year = reports.resolve_year(request.args.get("school_year"))
            groups = [g.strip() for g in request.args.get("group_by", "").split(",") if g.strip()]
            district = request.args.get("district", "")
            school = request.args.get("school", "")
            result = reports.summary(current_scope(), year, groups,
                                     as_id(district), as_id(school))
            audit.record("report", "report", None, detail={"school_year": year.name, "group_by": groups})
            db.session.commit()
        except PortalError as error:
            return self.response_error(error)
        return self.response(200, result=result)
