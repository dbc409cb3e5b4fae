"""Public account pages (request access, forgotten password, set a password) and County
Admin's queue of access requests."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import School
from app.services import access, accounts
from app.services.errors import PortalError, ValidationFailed


def _active_schools():
    return db.session.execute(select(School.id, School.name).where(School.active.is_(True))
                              .order_by(School.name)).all()


class PublicAccountView(BaseView):
    """Pages anyone may open (no permission check); each is throttled per address."""

    route_base = ""
    default_view = "request_access"

    @expose("/request-access", methods=["GET", "POST"])
    def request_access(self):
        values, errors = {}, {}
        if request.method == "POST":
            values = {k: request.form.get(k, "") for k in access.FIELDS}
            try:
                access.submit(values)
                db.session.commit()
            except ValidationFailed as error:
                db.session.rollback()
                errors = error.errors
            else:
                return self.render_template("access/sent.html", title=_("Request sent"))
        return self.render_template("access/request.html", values=values, errors=errors,
                                    schools=_active_schools(), title=_("Request access")), (422 if errors else 200)

    @expose("/forgot-password", methods=["GET", "POST"])
    def forgot_password(self):
        if request.method == "POST":
            accounts.forgot_password(request.form.get("identifier"))
            db.session.commit()
            # The same answer whether or not the account exists.
            flash(_("If an account matches, a link to set a new password is on its way."), "info")
            return redirect(url_for("AuthDBView.login"))
        return self.render_template("access/forgot.html", title=_("Forgot your password?"))

    @expose("/set-password/<token>", methods=["GET", "POST"])
    def set_password(self, token):
        errors = {}
        try:
            user = accounts.user_for_token(token)
        except ValidationFailed as error:
            return self.render_template("access/link_invalid.html", message=error.message,
                                        title=_("Set your password")), 400
        if request.method == "POST":
            try:
                accounts.set_password(token, request.form.get("password", ""), request.form.get("confirm", ""))
                db.session.commit()
            except ValidationFailed as error:
                db.session.rollback()
                errors = error.errors
            else:
                flash(_("Your password is set. Sign in with it."), "success")
                return redirect(url_for("AuthDBView.login"))
        return self.render_template("access/set_password.html", username=user.username, errors=errors,
                                    title=_("Set your password")), (422 if errors else 200)


class AccessRequestsView(BaseView):
    route_base = "/access-requests"
    default_view = "queue"

    @expose("/")
    @has_access
    def queue(self):
        items = access.queue()
        return self.render_template("access/queue.html", items=items, age=access.age_in_business_days,
                                    overdue=access.is_overdue, title=_("Access requests"))

    @expose("/<int:pk>/approve", methods=["POST"])
    @has_access
    def approve(self, pk):
        try:
            user = access.approve(pk, g.user)
            db.session.commit()
            flash(_("Approved: %(username)s can now set a password.", username=user.username), "success")
        except PortalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        return redirect(url_for(".queue"))

    @expose("/<int:pk>/deny", methods=["POST"])
    @has_access
    def deny(self, pk):
        try:
            access.deny(pk, g.user, request.form.get("note"))
            db.session.commit()
            flash(_("Denied; the note was mailed to the requester."), "success")
        except PortalError as error:
            db.session.rollback()
            flash(" ".join(sum(error.errors.values(), [])) or error.message, "danger")
        return redirect(url_for(".queue"))
