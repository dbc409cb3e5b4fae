"""Referrals: creating drafts, finding them within a user's scope, and the field rules that
every save (form or API) applies. Submission rules live in ``eligibility``."""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from app import validators
from app.extensions import db
from app.models import Referral
from app.models.enums import Race, Sex, Status
from app.security import Scope, is_school_user, scope_for
from app.services import audit
from app.services.directory import school_year_for
from app.services.errors import Collector, Conflict, Forbidden, NotFound, ValidationFailed

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})

#: field -> validators, applied to every value a school user saves.
FIELD_RULES = {
    "student_sex": [validators.one_of(Sex.values())],
    "student_race": [validators.one_of(Race.values())],
    "student_state": [validators.state],
    "student_zip": [validators.zip_code],
    "student_grade": [validators.grade],
    "credits_earned": [validators.non_negative],
    "credits_required": [validators.non_negative],
    "unexcused_full_days": [validators.non_negative],
    "unexcused_half_days": [validators.non_negative],
    "excused_absences": [validators.non_negative],
    "tardies": [validators.non_negative],
    "prior_year_absence_dates": [validators.iso_date_list],
    "current_year_absence_dates": [validators.iso_date_list],
    "primary_contact_email": [validators.email],
    "primary_contact_phone": [validators.phone],
    "case_manager_email": [validators.email],
}


def _normalize(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if c.isalnum()).lower()


def match_key(first_name, last_name, dob) -> str | None:
    """The key that finds the same student across schools and years: normalized last and
    first name and date of birth."""
    if not (first_name and last_name and dob):
        return None
    return f"{_normalize(last_name)}|{_normalize(first_name)}|{dob.isoformat()}"


def field_problems(referral: Referral) -> Collector:
    """Malformed values (not missing ones: an incomplete draft is fine)."""
    errors = Collector()
    if not (referral.student_first_name or "").strip():
        errors.add("student_first_name", _("Enter the student's first name."))
    if not (referral.student_last_name or "").strip():
        errors.add("student_last_name", _("Enter the student's last name."))
    for field, checks in FIELD_RULES.items():
        for check in checks:
            message = check(getattr(referral, field))
            if message:
                errors.add(field, message)
    return errors


def _tidy(referral: Referral) -> None:
    if referral.student_state:
        referral.student_state = referral.student_state.strip().upper()
    referral.student_match_key = match_key(
        referral.student_first_name, referral.student_last_name, referral.student_dob
    )


def get_in_scope(model, pk, scope: Scope):
    """The ``model`` row ``pk`` if ``scope`` reaches it, else ``NotFound``."""
    from app.models import SCHOOL_OWNED

    item = db.session.get(model, pk) if isinstance(pk, int) or str(pk).isdigit() else None
    if item is None:
        raise NotFound(_("Not found."))
    school_id = item.school_id if model is Referral else item.referral.school_id
    if model not in SCHOOL_OWNED or not scope.allows(school_id):
        raise NotFound(_("Not found."))
    return item


def prepare_new_draft(referral: Referral, user) -> Referral:
    """Make ``referral`` a draft of the user's own school, whatever the input said."""
    scope = scope_for(user)
    if not is_school_user(user) or len(scope.school_ids) != 1:
        raise Forbidden(_("Only school staff create referrals."))
    year = school_year_for()
    if year is None:
        raise ValidationFailed(
            _("No school year is set up yet; ask the county to add one."), {"school_year": [_("Missing.")]}
        )
    (referral.school_id,) = scope.school_ids
    referral.school_year_id = year.id
    referral.status = Status.DRAFT.value
    referral.created_by_id = user.id
    referral.submitted_at = None
    field_problems(referral).raise_if_any(_("Some fields need attention."))
    _tidy(referral)
    return referral


def require_editable(referral: Referral, user) -> None:
    """School staff edit or delete their own school's drafts and returned referrals only."""
    if not scope_for(user).allows(referral.school_id):
        raise NotFound(_("Not found."))
    if not is_school_user(user):
        raise Forbidden(_("Only school staff change referrals."))
    if referral.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("A %(status)s referral can no longer be changed.", status=Status(referral.status).label)
        )


#: Columns a save never changes: the school, year, status and creator are the portal's to set.
OWNED_COLUMNS = ("school_id", "school_year_id", "status", "created_by_id", "submitted_at")


def _keep_owned_columns(referral: Referral) -> None:
    state = inspect(referral)
    for name in OWNED_COLUMNS:
        history = state.attrs[name].history
        if history.deleted:
            setattr(referral, name, history.deleted[0])


def prepare_update(referral: Referral, user) -> Referral:
    """Check an edit of ``referral`` (already holding the new values) before it is saved.
    A school, year, status or creator in the input is ignored, never obeyed."""
    _keep_owned_columns(referral)
    require_editable(referral, user)
    field_problems(referral).raise_if_any(_("Some fields need attention."))
    _tidy(referral)
    return referral


def record_created(referral: Referral) -> None:
    audit.record("create", "referral", referral.id, school_id=referral.school_id)


def count_in_scope(scope: Scope, status: str | None = None) -> int:
    from sqlalchemy import func

    query = select(func.count(Referral.id)).where(scope.clause(Referral.school_id))
    if status:
        query = query.where(Referral.status == status)
    return db.session.scalar(query)
