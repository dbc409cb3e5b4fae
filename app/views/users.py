"""County Admin's user administration: FAB's user view plus the user's school."""
from __future__ import annotations

from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.views import UserDBModelView
from wtforms import PasswordField
from wtforms.validators import DataRequired
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.services.directory import role_school_problems
from app.services.passwords import password_problems


def _role_school_rule(form, field):
    roles = {role.name for role in (form.roles.data or [])}
    problems = role_school_problems(roles, form.school.data).errors
    messages = list(problems.get(field.name, []))
    if field.name == "roles" and form.school.data is None:
        # An empty school field skips its own validators (it is optional), so say it here.
        messages += problems.get("school", [])
    if messages:
        raise ValidationError(" ".join(messages))


def _password_rule(form, field):
    username = form.username.data if hasattr(form, "username") else None
    problems = password_problems(field.data or "", username)
    if problems:
        raise ValidationError(" ".join(problems))


class PortalUserDBModelView(UserDBModelView):
    list_columns = ["first_name", "last_name", "username", "email", "roles", "school", "active", "last_login",
                    "dormant"]
    base_order = ("school_id", "asc")
    show_columns = ["first_name", "last_name", "username", "email", "roles", "school", "active",
                    "last_login", "login_count", "created_on", "changed_on"]
    add_columns = ["first_name", "last_name", "username", "email", "roles", "school", "active",
                   "password", "conf_password"]
    edit_columns = ["first_name", "last_name", "username", "email", "roles", "school", "active"]
    search_columns = ["first_name", "last_name", "username", "email", "active", "roles", "school", "last_login"]
    label_columns = {"school": _l("School"), "dormant": _l("Unused 180 days")}
    formatters_columns = {"dormant": lambda value: "⚠" if value else ""}
    description_columns = {
        "school": _l("Required for School Staff; empty for County Admin and County Staff."),
    }
    validators_columns = {"roles": [_role_school_rule], "school": [_role_school_rule]}
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]

    add_form_extra_fields = {
        # The portal's password policy instead of FAB's composition rules.
        "password": PasswordField(
            _l("Password"),
            description=_l("12 to 128 characters; not a common password; not the username."),
            validators=[DataRequired(), _password_rule],
            widget=BS3PasswordFieldWidget(),
        ),
        "conf_password": UserDBModelView.add_form_extra_fields["conf_password"],
    }

    @action("resend_link", _l("Send a set-password link"), _l("Send each a link to set a password?"), "fa-envelope")
    def resend_link(self, items):
        from flask import flash, redirect

        from app.extensions import db
        from app.services.accounts import send_set_password_link

        items = items if isinstance(items, list) else [items]
        for user in items:
            send_set_password_link(user, reason="reset")
        db.session.commit()
        flash(_l("Set-password links sent."), "success")
        return redirect(self.get_redirect())
