"""The referral REST API (contract section 3), scoped like the HTML views."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import PortalModelRestApi
from app.models import Referral
from app.services import referrals as referral_service
from app.views.referrals import EDITABLE


class ReferralApi(PortalModelRestApi):
    resource_name = "referral"
    datamodel = SQLAInterface(Referral)
    allow_browser_login = True
    list_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "student_first_name", "student_last_name", "student_grade",
                    "created_at", "submitted_at"]
    show_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "created_at", "updated_at", "submitted_at", *EDITABLE,
                    "prior_year_absence_dates", "current_year_absence_dates"]
    add_columns = edit_columns = [*EDITABLE, "prior_year_absence_dates", "current_year_absence_dates"]
    order_columns = ["created_at", "submitted_at", "student_last_name", "status"]
    search_columns = ["status", "student_last_name", "student_grade", "is_re_referral", "created_at"]

    def before_add(self, item):
        referral_service.prepare_new_draft(item, self.user)

    def after_add(self, item):
        referral_service.record_created(item)

    def before_update(self, item):
        referral_service.prepare_update(item, self.user)

    def before_delete(self, item):
        referral_service.require_editable(item, self.user)

