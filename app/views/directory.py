"""County Admin's directory views: districts, schools, school years."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from app.models import District, School, SchoolYear
from app.models.enums import SchoolKind
from app.services.directory import forget_choices, school_year_problems
from app.views.base import PortalModelView


class DirectoryView(PortalModelView):
    """A county directory table: the filter menus forget their cached choices on each change."""

    def post_add(self, item):
        forget_choices()

    post_update = post_delete = post_add


class DistrictView(DirectoryView):
    datamodel = SQLAInterface(District)
    list_columns = ["name"]
    add_columns = edit_columns = show_columns = ["name"]
    search_columns = ["name"]
    label_columns = {"name": _l("Name")}
    validators_columns = {"name": [DataRequired()]}


class SchoolView(DirectoryView):
    datamodel = SQLAInterface(School)
    list_columns = ["name", "district", "kind", "active"]
    add_columns = edit_columns = show_columns = ["name", "district", "kind", "active"]
    search_columns = ["name", "district", "kind", "active"]
    label_columns = {"name": _l("Name"), "district": _l("District"), "kind": _l("Kind"),
                     "active": _l("Active")}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=SchoolKind.choices(), validators=[DataRequired()]),
    }
    validators_columns = {"name": [DataRequired()], "district": [DataRequired()]}
    formatters_columns = {"kind": lambda value: SchoolKind(value).label if value else ""}


def _school_year_rule(form, field):
    problems = school_year_problems(
        form.name.data, form.starts.data, form.cutoff.data, form.ends.data,
        form.min_age.data, form.max_age.data, form.min_days.data, form.re_referral_days.data,
    ).errors
    if field.name in problems:
        raise ValidationError(" ".join(problems[field.name]))


class SchoolYearView(DirectoryView):
    datamodel = SQLAInterface(SchoolYear)
    _fields = ["name", "starts", "cutoff", "ends", "min_age", "max_age", "min_days", "re_referral_days"]
    list_columns = ["name", "starts", "cutoff", "ends", "min_age", "max_age", "min_days"]
    add_columns = edit_columns = show_columns = _fields
    search_columns = ["name", "starts", "cutoff"]
    base_order = ("starts", "desc")
    label_columns = {
        "name": _l("School year"),
        "starts": _l("Referrals accepted from"),
        "cutoff": _l("Referrals accepted until"),
        "ends": _l("School year ends"),
        "min_age": _l("Minimum age"),
        "max_age": _l("Maximum age"),
        "min_days": _l("Unexcused days needed"),
        "re_referral_days": _l("Unexcused days needed for a re-referral"),
    }
    description_columns = {"name": _l("For example 2026-2027.")}
    validators_columns = {
        field: [_school_year_rule] for field in ("name", "cutoff", "ends", "max_age", "min_days", "re_referral_days")
    }
    validators_columns["starts"] = [DataRequired()]
