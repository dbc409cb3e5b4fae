"""County Admin: the recent runs of the draft purge (when, warned, deleted)."""
from __future__ import annotations

from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services.purge import recent_runs


class PurgeRunsView(BaseView):
    route_base = "/purge-runs"
    default_view = "runs"

    @expose("/")
    @has_access
    def runs(self):
        return self.render_template("portal/purge_runs.html", runs=recent_runs(30),
                                    title=_("Draft purge runs"))
