"""Every REST API, registered in one place."""
from __future__ import annotations

from flask_appbuilder.api.manager import OpenApi

from app.api.access import AccessRequestApi
from app.api.directory import AuditApi, SchoolApi
from app.api.referral import ReferralApi
from app.api.report import ReportApi


def register_apis(appbuilder) -> None:
    appbuilder.add_api(ReferralApi)
    appbuilder.add_api(SchoolApi)
    appbuilder.add_api(AuditApi)
    appbuilder.add_api(ReportApi)
    appbuilder.add_api(AccessRequestApi)
    # The OpenAPI document at /api/v1/_openapi, without FAB's Swagger UI (it loads from a CDN).
    appbuilder.add_api(OpenApi)
