"""Every HTML view and menu entry, registered in one place."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.views.accounts import AccessRequestsView, PublicAccountView
from app.views.audit import AuditView
from app.views.directory import DistrictView, SchoolView, SchoolYearView
from app.views.purge_runs import PurgeRunsView
from app.views.queue import CaseworkerQueueView
from app.views.reports import ReportsView, SchoolSummaryView
from app.views.referral_page import ReferralPageView, template_globals


def register_views(appbuilder) -> None:
    from flask import current_app

    current_app.jinja_env.globals.update(template_globals())
    appbuilder.add_view(ReferralPageView, "Referrals", label=_l("Referrals"), icon="fa-folder-open",
                        category="Referrals", category_label=_l("Referrals"))
    appbuilder.add_view(CaseworkerQueueView, "Queue", label=_l("Queue"), icon="fa-inbox", category="Referrals")
    appbuilder.add_view(SchoolSummaryView, "My school this year", label=_l("My school this year"),
                        icon="fa-bar-chart", category="Referrals")
    appbuilder.add_view(ReportsView, "Dashboard", label=_l("Dashboard"), icon="fa-bar-chart", category="Referrals")
    appbuilder.add_view(DistrictView, "Districts", label=_l("Districts"), icon="fa-map",
                        category="County", category_label=_l("County"))
    appbuilder.add_view(SchoolView, "Schools", label=_l("Schools"), icon="fa-school", category="County")
    appbuilder.add_view(SchoolYearView, "School years", label=_l("School years"), icon="fa-calendar",
                        category="County")
    appbuilder.add_view(PurgeRunsView, "Draft purge runs", label=_l("Draft purge runs"), icon="fa-trash",
                        category="County")
    appbuilder.add_view(AuditView, "Audit log", label=_l("Audit log"), icon="fa-list-alt", category="County")
    appbuilder.add_view(AccessRequestsView, "Access requests", label=_l("Access requests"), icon="fa-user-plus",
                        category="County")
    appbuilder.add_view_no_menu(PublicAccountView)
