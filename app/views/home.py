"""The landing page: signed-in users go to their referrals, others to the login page."""
from __future__ import annotations

from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose


class PortalIndexView(IndexView):
    @expose("/")
    def index(self):
        user = g.user
        if user is not None and user.is_authenticated:
            return redirect(url_for("ReferralPageView.home"))
        return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
