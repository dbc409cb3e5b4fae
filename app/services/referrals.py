"""Referrals: creating drafts, finding them within a user's scope, and the field rules that
every save (form or API) applies. Submission rules live in ``eligibility``."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from app import validators
from app.database import as_id, get_row
from app.extensions import db
from app.models import Referral
from app.models.enums import Race, Sex, Status
from app.security import Scope, is_school_user, scope_for
from app.services import audit
from app.services.directory import school_year_for
from app.services.errors import Collector, Conflict, Forbidden, NotFound, ValidationFailed

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})

#: The referral's own fields that a school user fills in (contract section 5).
EDITABLE_FIELDS = (
    "student_first_name", "student_middle_name", "student_last_name", "student_dob", "student_sex",
    "student_race", "student_address", "student_city", "student_state", "student_zip", "student_grade",
    "credits_earned", "credits_required", "student_interpreter_needed", "student_language",
    "unexcused_full_days", "unexcused_half_days", "excused_absences", "tardies", "relevant_information",
    "is_re_referral", "prior_year_absence_dates", "current_year_absence_dates",
    "disenrollment_considered", "prior_school_referral_this_year",
    "has_504_plan", "has_iep", "has_other_support", "disability_description",
    "primary_contact_name", "primary_contact_phone", "primary_contact_email",
    "case_manager_name", "case_manager_email",
)

#: Upper bounds of the counts: a school year has at most 366 days.
MAX_DAYS, MAX_TARDIES, MAX_CREDITS = 366, 9999, 1000

#: field -> validators, applied to every value a school user saves.
FIELD_RULES = {
    "student_sex": [validators.one_of(Sex.values())],
    "student_race": [validators.one_of(Race.values())],
    "student_state": [validators.state],
    "student_zip": [validators.zip_code],
    "student_grade": [validators.grade],
    "credits_earned": [validators.non_negative, validators.at_most(MAX_CREDITS)],
    "credits_required": [validators.non_negative, validators.at_most(MAX_CREDITS)],
    "unexcused_full_days": [validators.non_negative, validators.at_most(MAX_DAYS)],
    "unexcused_half_days": [validators.non_negative, validators.at_most(MAX_DAYS)],
    "excused_absences": [validators.non_negative, validators.at_most(MAX_DAYS)],
    "tardies": [validators.non_negative, validators.at_most(MAX_TARDIES)],
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


def apply_rules(obj, rules: dict, errors: Collector) -> None:
    """Run each field's validators (``field -> [validator]``) on ``obj``, adding their messages."""
    for field, checks in rules.items():
        for check in checks:
            message = check(getattr(obj, field))
            if message:
                errors.add(field, message)


def field_problems(referral: Referral) -> Collector:
    """Malformed values (not missing ones: an incomplete draft is fine)."""
    errors = Collector()
    if not (referral.student_first_name or "").strip():
        errors.add("student_first_name", _("Enter the student's first name."))
    if not (referral.student_last_name or "").strip():
        errors.add("student_last_name", _("Enter the student's last name."))
    apply_rules(referral, FIELD_RULES, errors)
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

    item = get_row(model, pk)
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


# --- Drafts and their children (the referral page and the API call these) ------------------

#: A draft is deleted this many days after it was started; its creator is warned from day 23.
PURGE_AFTER_DAYS = 30
WARN_AFTER_DAYS = 23


def days_left_of(status: str, created_at, day=None) -> int | None:
    """Days before a draft started at ``created_at`` is deleted, as of ``day`` (today by
    default); ``None`` for any other status."""
    if status != Status.DRAFT:
        return None
    if day is None:
        from app.clock import today

        day = today()
    return max(0, PURGE_AFTER_DAYS - (day - created_at.date()).days)


def days_left(referral: Referral) -> int | None:
    """Days before an unsubmitted draft is deleted (``None`` once it is not a draft)."""
    return days_left_of(referral.status, referral.created_at)


def deletion_is_near(days: int | None) -> bool:
    """Whether a draft with ``days`` left is in its warning week (its creator has been mailed)."""
    return days is not None and days <= PURGE_AFTER_DAYS - WARN_AFTER_DAYS


def create_draft(values: dict, user) -> Referral:
    """A new draft of the user's school holding ``values`` (fields of contract section 5)."""
    referral = Referral(**{k: v for k, v in values.items() if k in EDITABLE_FIELDS})
    prepare_new_draft(referral, user)
    db.session.add(referral)
    db.session.flush()
    record_created(referral)
    return referral


def update_draft(referral: Referral, values: dict, user) -> Referral:
    """Save ``values`` into a draft or returned referral; on refusal nothing changes."""
    require_editable(referral, user)
    for key, value in values.items():
        if key in EDITABLE_FIELDS:
            setattr(referral, key, value)
    prepare_update(referral, user)
    db.session.flush()
    audit.record("update", "referral", referral.id, school_id=referral.school_id)
    return referral


def delete_draft(referral: Referral, user) -> None:
    require_editable(referral, user)
    if referral.status != Status.DRAFT:
        raise Conflict(_("Only drafts can be deleted."))
    audit.record("delete", "referral", referral.id, school_id=referral.school_id)
    db.session.delete(referral)
    db.session.flush()


def record_view(referral: Referral) -> None:
    audit.record("view", "referral", referral.id, school_id=referral.school_id)


FAMILY_FIELDS = ("name", "relationship", "address", "city", "state", "zip", "phone_cell", "phone_home",
                 "phone_work", "email", "interpreter_needed", "language")
FAMILY_RULES = {
    "state": [validators.state], "zip": [validators.zip_code], "email": [validators.email],
    "phone_cell": [validators.phone], "phone_home": [validators.phone], "phone_work": [validators.phone],
}


def _family_problems(member) -> Collector:
    errors = Collector()
    if not (member.name or "").strip():
        errors.add("name", _("Enter the name."))
    if not member.has_phone:
        errors.add("phone_cell", _("Enter at least one phone number."))
    if member.interpreter_needed and not (member.language or "").strip():
        errors.add("language", _("Enter the language the interpreter should speak."))
    apply_rules(member, FAMILY_RULES, errors)
    return errors


def save_family_member(referral: Referral, values: dict, user, member=None):
    """Add a family member (or update ``member``) on an editable referral."""
    from app.models import FamilyMember

    require_editable(referral, user)
    if member is not None and member.referral_id != referral.id:
        raise NotFound(_("Not found."))
    candidate = member or FamilyMember(referral_id=referral.id)
    for key in FAMILY_FIELDS:
        if key in values:
            setattr(candidate, key, values[key])
    if candidate.state:
        candidate.state = candidate.state.strip().upper()
    problems = _family_problems(candidate)
    if problems:
        if member is not None:
            db.session.expire(member)  # drop the refused values; what was saved stays
        raise ValidationFailed(_("The family member was not saved."), problems.errors)
    if member is None:
        db.session.add(candidate)
    db.session.flush()
    audit.record("update", "referral", referral.id, school_id=referral.school_id,
                 detail={"family_member": candidate.id})
    return candidate


def family_member_of(referral: Referral, member_id: int):
    """The family member ``member_id`` of ``referral``; ``NotFound`` if it belongs elsewhere."""
    member = next((m for m in referral.family_members if m.id == member_id), None)
    if member is None:
        raise NotFound(_("Not found."))
    return member


def remove_family_member(referral: Referral, member, user) -> None:
    require_editable(referral, user)
    if member.referral_id != referral.id:
        raise NotFound(_("Not found."))
    db.session.delete(member)
    db.session.flush()
    audit.record("update", "referral", referral.id, school_id=referral.school_id,
                 detail={"family_member_removed": member.id})


def intervention_problems(items: list[dict]) -> Collector:
    """``items``: dicts of kind, date (a ``date`` or ``None``), note. Errors keyed by kind."""
    from app.models.enums import DATED_INTERVENTIONS, InterventionKind

    errors = Collector()
    for item in items:
        kind = item.get("kind")
        if kind not in InterventionKind.values():
            errors.add("kind", _("Unknown intervention: %(kind)s.", kind=kind))
            continue
        note = (item.get("note") or "").strip()
        if kind == InterventionKind.PARENT_MEETING:
            if not item.get("date") and not note:
                errors.add(kind, _("Enter the meeting date, or why no meeting was held."))
        elif kind in DATED_INTERVENTIONS and not item.get("date"):
            errors.add(kind, _("Enter the date."))
        elif kind == InterventionKind.OTHER and not note:
            errors.add(kind, _("Describe the other intervention."))
    return errors


def replace_interventions(referral: Referral, items: list[dict], user) -> None:
    """Make the referral's interventions exactly ``items`` (the county's checklist as ticked)."""
    from app.models import Intervention

    require_editable(referral, user)
    intervention_problems(items).raise_if_any(_("The interventions were not saved."))
    for existing in list(referral.interventions):
        referral.interventions.remove(existing)
    for item in items:
        referral.interventions.append(Intervention(kind=item["kind"], date=item.get("date"),
                                                   note=(item.get("note") or "").strip() or None))
    db.session.flush()
    audit.record("update", "referral", referral.id, school_id=referral.school_id,
                 detail={"interventions": len(items)})


# --- The referral list ---------------------------------------------------------------------
# The lists run on every page view, so their statements are built once per shape (which
# filters are set, which scope, which order) with bound parameters, on the tables rather than
# the mapped classes: no statement to build, no cache key to compute and no ORM rows to make
# on each request. The scope is in every statement's WHERE clause (`Scope.bound_clause`).

LIST_FILTERS = ("school_year", "district", "school", "status", "grade", "re_referral")


@dataclass
class Page:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _as_int(value) -> int:
    return int(value) if str(value).lstrip("-").isdigit() else -1  # unknown: matches nothing


def _filter_params(filters: dict) -> dict:
    """The filters that are set, as the parameters the list statement binds."""
    params = {}
    for key in ("school_year", "school", "district", "grade"):
        if filters.get(key) not in (None, ""):
            params[key] = _as_int(filters[key])
    if filters.get("status"):
        params["status"] = str(filters["status"])
    if filters.get("re_referral") in ("yes", "no"):
        params["re_referral"] = filters["re_referral"] == "yes"
    return params


@lru_cache(maxsize=256)
def _search_statements(shape: str, filter_keys: tuple[str, ...]):
    from sqlalchemy import bindparam, func

    from app.models import School

    referral, school = Referral.__table__, School.__table__
    columns = {"school_year": referral.c.school_year_id, "school": referral.c.school_id,
               "district": school.c.district_id, "status": referral.c.status,
               "grade": referral.c.student_grade, "re_referral": referral.c.is_re_referral}
    conditions = [Scope.bound_clause(shape, referral.c.school_id)]
    conditions += [columns[key] == bindparam(key) for key in filter_keys]
    joined = referral.join(school, school.c.id == referral.c.school_id)
    count = (select(func.count(referral.c.id))
             .select_from(joined if "district" in filter_keys else referral).where(*conditions))
    rows = (
        select(referral.c.id, referral.c.student_first_name, referral.c.student_last_name,
               referral.c.status, referral.c.student_grade, referral.c.created_at,
               referral.c.submitted_at, referral.c.is_re_referral, school.c.name.label("school_name"))
        .select_from(joined).where(*conditions)
        .order_by(referral.c.created_at.desc(), referral.c.id.desc())
        .limit(bindparam("limit")).offset(bindparam("offset"))
    )
    return count, rows


def search(scope: Scope, filters: dict, page: int = 1, per_page: int = 25) -> Page:
    """One page of the referrals ``scope`` reaches, newest first, with ``filters`` (ids and codes
    as strings, as they come from a query string; unknown values match nothing). A page past the
    last (an old link after a purge, a typed URL) shows the last page."""
    shape, params = scope.kind()
    params.update(_filter_params(filters))
    count, rows = _search_statements(shape, tuple(sorted(set(params) & set(LIST_FILTERS))))
    total = db.session.execute(count, params).scalar_one()
    page = min(max(1, page), max(1, -(-total // per_page)))
    found = db.session.execute(rows, {**params, "limit": per_page, "offset": (page - 1) * per_page}).all()
    return Page(rows=found, total=total, page=page, per_page=per_page)


def add_intervention(referral: Referral, item: dict, user):
    """Add one intervention (kind, date, note) to an editable referral."""
    from app.models import Intervention

    require_editable(referral, user)
    intervention_problems([item]).raise_if_any(_("The intervention was not saved."))
    intervention = Intervention(referral_id=referral.id, kind=item["kind"], date=item.get("date"),
                                note=(item.get("note") or "").strip() or None)
    db.session.add(intervention)
    db.session.flush()
    audit.record("update", "referral", referral.id, school_id=referral.school_id,
                 detail={"intervention": intervention.id})
    return intervention


QUEUE_STATUSES = (Status.SUBMITTED.value, Status.UNDER_REVIEW.value)


def caseworker_queue(scope: Scope, filters: dict, limit: int = 200) -> list:
    """Submitted and under-review referrals, oldest submission first, for the county's queue;
    ``filters`` may name a district, a school and an assigned caseworker ("none" for nobody)."""
    from app.models import PortalUser, School

    def as_int(value):
        found = as_id(value)
        return -1 if found is None else found  # not an id: matches nothing

    conditions = [scope.clause(Referral.school_id), Referral.status.in_(QUEUE_STATUSES)]
    if filters.get("district"):
        conditions.append(School.district_id == as_int(filters["district"]))
    if filters.get("school"):
        conditions.append(Referral.school_id == as_int(filters["school"]))
    if filters.get("assigned") == "none":
        conditions.append(Referral.assigned_to_id.is_(None))
    elif filters.get("assigned"):
        conditions.append(Referral.assigned_to_id == as_int(filters["assigned"]))
    return db.session.execute(
        select(Referral.id, Referral.student_first_name, Referral.student_last_name, Referral.status,
               Referral.submitted_at, School.name.label("school_name"),
               PortalUser.first_name.label("assigned_first"), PortalUser.last_name.label("assigned_last"))
        .join(School, School.id == Referral.school_id)
        .outerjoin(PortalUser, PortalUser.id == Referral.assigned_to_id)
        .where(*conditions)
        .order_by(Referral.submitted_at.asc(), Referral.id.asc())
        .limit(limit)
    ).all()


@lru_cache(maxsize=64)
def _list_page_statements(shape: str, order_column: str, descending: bool):
    from sqlalchemy import bindparam, func

    from app.models import School, SchoolYear

    referral, school, year = Referral.__table__, School.__table__, SchoolYear.__table__
    condition = Scope.bound_clause(shape, referral.c.school_id)
    column = referral.c[order_column]
    count = select(func.count(referral.c.id)).where(condition)
    rows = (
        select(referral.c.id, referral.c.status, referral.c.student_first_name, referral.c.student_last_name,
               referral.c.student_grade, referral.c.created_at, referral.c.submitted_at, referral.c.school_id,
               school.c.name.label("school_name"), year.c.name.label("school_year_name"))
        .select_from(referral.join(school, school.c.id == referral.c.school_id)
                     .join(year, year.c.id == referral.c.school_year_id))
        .where(condition)
        .order_by(column.desc() if descending else column.asc(),
                  referral.c.id.desc() if descending else referral.c.id.asc())
        .limit(bindparam("limit")).offset(bindparam("offset"))
    )
    return count, rows


def list_page(scope: Scope, order_column: str, descending: bool, offset: int, limit: int):
    """One page of the referral list API without the ORM's object graph: the count and the
    rows (with school and school year names) of the referrals ``scope`` reaches."""
    shape, params = scope.kind()
    count, rows = _list_page_statements(shape, order_column, descending)
    total = db.session.execute(count, params).scalar_one()
    found = db.session.execute(rows, {**params, "limit": limit, "offset": offset}).all()
    return total, found
