"""County Staff's queue: referrals waiting for a decision, oldest first."""
from __future__ import annotations

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.clock import today
from app.security import current_scope
from app.services import directory, workflow
from app.services import referrals as referral_service


class CaseworkerQueueView(BaseView):
    route_base = "/queue"
    default_view = "queue"

    @expose("/")
    @has_access
    def queue(self):
        filters = {key: request.args.get(key, "") for key in ("district", "school", "assigned")}
        rows = referral_service.caseworker_queue(current_scope(), filters)
        day = today()
        waiting = {row.id: (day - row.submitted_at.date()).days if row.submitted_at else 0 for row in rows}
        menus = directory.choices()
        return self.render_template("referral/queue.html", rows=rows, waiting=waiting, filters=filters,
                                    districts=menus["districts"], schools=menus["schools"],
                                    caseworkers=workflow.caseworkers(), title=_("Queue"))
