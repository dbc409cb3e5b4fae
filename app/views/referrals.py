"""Referral views: the list, the record, and its family members, interventions and
attachments. Every one is a ScopedModelView; writes go through the referral services."""
from __future__ import annotations

from flask import Response, abort, g
from flask_appbuilder.baseviews import expose
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from app.models import Attachment, FamilyMember, Intervention, Referral
from app.models.enums import AttachmentKind, InterventionKind, Race, Sex, Status
from app.services import attachments as attachment_service
from app.services import referrals as referral_service
from app.services.errors import NotFound
from app.views.base import FilterInScope, ScopedModelView

STUDENT = ["student_first_name", "student_middle_name", "student_last_name", "student_dob",
           "student_sex", "student_race", "student_address", "student_city", "student_state",
           "student_zip", "student_grade", "credits_earned", "credits_required",
           "student_interpreter_needed", "student_language"]
TRUANCY = ["unexcused_full_days", "unexcused_half_days", "excused_absences", "tardies",
           "relevant_information", "is_re_referral"]
ONLINE = ["disenrollment_considered", "prior_school_referral_this_year"]
SPECIAL_ED = ["has_504_plan", "has_iep", "has_other_support", "disability_description"]
CONTACTS = ["primary_contact_name", "primary_contact_phone", "primary_contact_email",
            "case_manager_name", "case_manager_email"]
EDITABLE = STUDENT + TRUANCY + ONLINE + SPECIAL_ED + CONTACTS

LABELS = {
    "student_first_name": _l("First name"), "student_middle_name": _l("Middle name"),
    "student_last_name": _l("Last name"), "student_dob": _l("Date of birth"),
    "student_sex": _l("Sex"), "student_race": _l("Race"), "student_address": _l("Address"),
    "student_city": _l("City"), "student_state": _l("State"), "student_zip": _l("ZIP code"),
    "student_grade": _l("Grade"), "credits_earned": _l("Credits earned to date"),
    "credits_required": _l("Credits required to graduate"),
    "student_interpreter_needed": _l("Interpreter needed"), "student_language": _l("Language"),
    "unexcused_full_days": _l("Unexcused full days"), "unexcused_half_days": _l("Unexcused half days"),
    "excused_absences": _l("Excused absences"), "tardies": _l("Tardies"),
    "relevant_information": _l("Relevant information"), "is_re_referral": _l("Re-referral"),
    "disenrollment_considered": _l("Being considered for disenrollment"),
    "prior_school_referral_this_year": _l("Referred by a prior school this year"),
    "has_504_plan": _l("504 accommodation plan"), "has_iep": _l("Individual Education Plan (IEP)"),
    "has_other_support": _l("Other support services"), "disability_description": _l("Description"),
    "primary_contact_name": _l("Primary school contact"), "primary_contact_phone": _l("Contact phone"),
    "primary_contact_email": _l("Contact email"), "case_manager_name": _l("Case manager / teacher"),
    "case_manager_email": _l("Case manager email"), "school": _l("School"),
    "school_year": _l("School year"), "status": _l("Status"), "created_at": _l("Created"),
    "submitted_at": _l("Submitted"), "student_name": _l("Student"), "status_label": _l("Status"),
}


def _editable_statuses():
    return sorted(referral_service.EDITABLE_STATUSES)


#: Child forms may only attach rows to a referral of the user's school that is still editable.
EDITABLE_PARENT = [["school_id", FilterInScope, None], ["status", FilterInFunction, _editable_statuses]]


class FamilyMemberView(ScopedModelView):
    datamodel = SQLAInterface(FamilyMember)
    list_title = _l("Family members")
    list_columns = ["name", "relationship", "phone_cell", "phone_home", "phone_work", "email"]
    show_columns = ["referral", "name", "relationship", "address", "city", "state", "zip",
                    "phone_cell", "phone_home", "phone_work", "email", "interpreter_needed", "language"]
    add_columns = edit_columns = show_columns
    search_columns = ["name", "relationship"]
    add_form_query_rel_fields = edit_form_query_rel_fields = {"referral": EDITABLE_PARENT}

    def before_add(self, item):
        referral_service.require_editable(item.referral, g.user)

    before_update = before_delete = before_add


class InterventionView(ScopedModelView):
    datamodel = SQLAInterface(Intervention)
    list_title = _l("Interventions")
    list_columns = ["kind", "date", "note"]
    add_columns = edit_columns = show_columns = ["referral", "kind", "date", "note"]
    search_columns = ["kind", "date"]
    add_form_query_rel_fields = edit_form_query_rel_fields = {"referral": EDITABLE_PARENT}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Intervention"), choices=InterventionKind.choices()),
    }
    formatters_columns = {"kind": lambda value: InterventionKind(value).label}

    def before_add(self, item):
        referral_service.require_editable(item.referral, g.user)

    before_update = before_delete = before_add


class AttachmentView(ScopedModelView):
    datamodel = SQLAInterface(Attachment)
    list_title = _l("Attachments")
    base_permissions = ["can_list", "can_show", "can_delete", "can_download"]
    list_columns = ["kind", "filename", "size_bytes", "uploaded_at"]
    show_columns = ["referral", "kind", "filename", "size_bytes", "uploaded_at"]
    search_columns = ["kind", "filename"]
    formatters_columns = {"kind": lambda value: AttachmentKind(value).label}

    def before_delete(self, item):
        referral_service.require_editable(item.referral, g.user)

    @expose("/file/<int:pk>")
    @has_access
    @permission_name("download")
    def file(self, pk):
        """Send the PDF if the user's scope reaches it; 404 otherwise. Audited."""
        try:
            attachment, data = attachment_service.open_for_download(pk, g.user)
        except NotFound:
            abort(404)
        from app.extensions import db

        db.session.commit()  # the audit event
        headers = attachment_service.download_headers(attachment)
        return Response(data, mimetype="application/pdf", headers=headers)


class ReferralView(ScopedModelView):
    datamodel = SQLAInterface(Referral)
    list_title = _l("Referrals")
    show_title = _l("Referral")
    add_title = _l("New referral")
    edit_title = _l("Edit referral")
    list_columns = ["student_name", "school.name", "status_label", "student_grade", "created_at", "submitted_at"]
    order_columns = ["created_at", "submitted_at", "student_grade"]
    base_order = ("created_at", "desc")
    add_columns = edit_columns = EDITABLE
    show_fieldsets = [
        (_l("Referral"), {"fields": ["school", "school_year", "status_label", "created_at", "submitted_at"]}),
        (_l("Student"), {"fields": STUDENT}),
        (_l("Truancy"), {"fields": TRUANCY}),
        (_l("Online school"), {"fields": ONLINE}),
        (_l("Special education"), {"fields": SPECIAL_ED}),
        (_l("Contacts"), {"fields": CONTACTS}),
    ]
    search_columns = ["student_last_name", "status", "school", "school_year", "student_grade",
                      "is_re_referral", "created_at"]
    search_form_query_rel_fields = {"school": [["id", FilterInScope, None]]}
    label_columns = {**LABELS, "school.name": _l("School")}
    add_form_extra_fields = edit_form_extra_fields = {
        "student_sex": SelectField(LABELS["student_sex"], choices=[("", "")] + Sex.choices(), validators=[Optional()]),
        "student_race": SelectField(LABELS["student_race"], choices=[("", "")] + Race.choices(), validators=[Optional()]),
    }
    formatters_columns = {
        "student_sex": lambda value: Sex(value).label if value else "",
        "student_race": lambda value: Race(value).label if value else "",
    }
    related_views = [FamilyMemberView, InterventionView, AttachmentView]

    def before_add(self, item):
        for field in ("student_sex", "student_race"):
            setattr(item, field, getattr(item, field) or None)
        referral_service.prepare_new_draft(item, g.user)

    def post_add(self, item):
        referral_service.record_created(item)
        from app.extensions import db

        db.session.commit()

    def before_update(self, item):
        for field in ("student_sex", "student_race"):
            setattr(item, field, getattr(item, field) or None)
        referral_service.prepare_update(item, g.user)

    def before_delete(self, item):
        referral_service.require_editable(item, g.user)


STATUS_LABEL = {s.value: s.label for s in Status}
