"""Who may be referred: every rule of contract section 6, in one place.

``evaluate(referral)`` returns every problem at once, each tied to a field and to the tab of
the county form where the clerk fixes it, plus the plain-language standing that the referral
page shows while the clerk works ("6.5 of 7 days (two half days count as one)"). Submission
(``workflow.submit``), the API and the page all call it; no rule is written twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import Referral, SchoolYear
from app.models.enums import AttachmentKind, InterventionKind, SchoolKind, Status
from app.services.directory import school_year_for

OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.ACCEPTED)

#: The tab of the county form that holds each field (the page shows errors on their tab).
TABS = ("student", "family", "truancy", "intervention", "special_education", "contacts", "attachments")
FIELD_TAB = {
    **{f: "student" for f in (
        "student_first_name", "student_middle_name", "student_last_name", "student_dob", "student_sex",
        "student_race", "student_address", "student_city", "student_state", "student_zip",
        "student_grade", "credits_earned", "credits_required", "student_interpreter_needed",
        "student_language")},
    "family_members": "family",
    "absence_days": "truancy",
    **{f: "truancy" for f in (
        "unexcused_full_days", "unexcused_half_days", "excused_absences", "tardies",
        "relevant_information", "is_re_referral", "prior_year_absence_dates",
        "current_year_absence_dates", "disenrollment_considered", "prior_school_referral_this_year")},
    "interventions": "intervention",
    **{f: "special_education" for f in ("has_504_plan", "has_iep", "has_other_support", "disability_description")},
    **{f: "contacts" for f in ("primary_contact_name", "primary_contact_phone", "primary_contact_email",
                               "case_manager_name", "case_manager_email")},
    "attachments": "attachments",
}

REQUIRED = {
    "student_first_name": _l("Enter the student's first name."),
    "student_last_name": _l("Enter the student's last name."),
    "student_dob": _l("Enter the date of birth."),
    "student_sex": _l("Choose the student's sex."),
    "student_race": _l("Choose the student's race."),
    "student_address": _l("Enter the street address."),
    "student_city": _l("Enter the city."),
    "student_state": _l("Enter the state."),
    "student_zip": _l("Enter the ZIP code."),
    "student_grade": _l("Choose the current grade."),
    "unexcused_full_days": _l("Enter the unexcused full days (0 if none)."),
    "unexcused_half_days": _l("Enter the unexcused half days (0 if none)."),
    "primary_contact_name": _l("Enter the primary school contact."),
    "primary_contact_phone": _l("Enter the primary contact's phone."),
    "primary_contact_email": _l("Enter the primary contact's email."),
}


@dataclass
class Evaluation:
    """The outcome of the rules for one referral on one day."""

    day: dt.date
    errors: dict[str, list[str]] = field(default_factory=dict)
    standing: list[tuple[bool, str]] = field(default_factory=list)  # (met?, sentence) for the page

    def add(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def tabs_with_errors(self) -> set[str]:
        return {FIELD_TAB.get(name, "student") for name in self.errors}


def age_on(dob: dt.date, day: dt.date) -> int:
    """Whole years from ``dob`` to ``day`` (a birthday counts on the day itself)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def absence_days(referral: Referral) -> float:
    """Unexcused days: full days plus half days, two half days counting as one."""
    return (referral.unexcused_full_days or 0) + (referral.unexcused_half_days or 0) / 2


def _days_text(value: float) -> str:
    return f"{value:g}"


def days_sentence(days: float, needed: int) -> str:
    return _("%(days)s of %(needed)d days (two half days count as one).", days=_days_text(days), needed=needed)


def previous_year(year: SchoolYear) -> SchoolYear | None:
    return db.session.scalar(
        select(SchoolYear).where(SchoolYear.starts < year.starts).order_by(SchoolYear.starts.desc()).limit(1)
    )


def open_duplicate(referral: Referral, year: SchoolYear) -> Referral | None:
    """Another open referral for the same student in ``year`` (any school), if one exists."""
    if not referral.student_match_key:
        return None
    query = select(Referral).where(
        Referral.student_match_key == referral.student_match_key,
        Referral.school_year_id == year.id,
        Referral.status.in_([s.value for s in OPEN_STATUSES]),
    )
    if referral.id is not None:
        query = query.where(Referral.id != referral.id)
    return db.session.scalar(query.limit(1))


def closed_case_last_year(referral: Referral, year: SchoolYear) -> bool:
    last = previous_year(year)
    if last is None or not referral.student_match_key:
        return False
    return db.session.scalar(
        select(Referral.id).where(
            Referral.student_match_key == referral.student_match_key,
            Referral.school_year_id == last.id,
            Referral.status == Status.CLOSED.value,
        ).limit(1)
    ) is not None


def evaluate(referral: Referral, day: dt.date | None = None) -> Evaluation:
    """Every rule of contract section 6 for ``referral`` on ``day`` (default today)."""
    day = day or today()
    result = Evaluation(day=day)
    year = school_year_for(day)

    for name, message in REQUIRED.items():
        value = getattr(referral, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            result.add(name, str(message))

    # 3. Window.
    if year is None or not (year.starts <= day <= year.cutoff):
        if year is None:
            result.add("school_year", _("No school year is open on %(day)s.", day=day.isoformat()))
        elif day > year.cutoff:
            result.add("school_year", _("Referrals for %(year)s closed on %(cutoff)s.",
                                        year=year.name, cutoff=year.cutoff.isoformat()))
        else:
            result.add("school_year", _("Referrals for %(year)s open on %(starts)s.",
                                        year=year.name, starts=year.starts.isoformat()))
        result.standing.append((False, result.errors["school_year"][0]))
    else:
        result.standing.append((True, _("Within the %(year)s referral window (until %(cutoff)s).",
                                        year=year.name, cutoff=year.cutoff.isoformat())))
    thresholds = year or referral.school_year

    # 1. Age.
    if referral.student_dob is not None:
        age = age_on(referral.student_dob, day)
        if age < thresholds.min_age:
            message = _("Age %(age)d on today's date: referrals start at %(min)d.", age=age, min=thresholds.min_age)
        elif age > thresholds.max_age:
            message = _("Age %(age)d on today's date: referrals end at %(max)d.", age=age, max=thresholds.max_age)
        else:
            message = None
        if message:
            result.add("student_dob", message)
        result.standing.append((message is None, message or _("Age %(age)d on today's date.", age=age)))

    # 2. Absences (and the re-referral conditions).
    days = absence_days(referral)
    needed = thresholds.re_referral_days if referral.is_re_referral else thresholds.min_days
    sentence = days_sentence(days, needed)
    if days < needed:
        result.add("unexcused_full_days", sentence)
    result.standing.append((days >= needed, sentence))
    if referral.is_re_referral:
        if year is not None and not closed_case_last_year(referral, year):
            result.add("is_re_referral", _("A re-referral needs a closed case for this student in the previous "
                                           "school year; none was found."))
        if len(referral.prior_year_absence_dates or []) < 4:
            result.add("prior_year_absence_dates", _("List the last four unexcused absences of last school year."))
        if len(referral.current_year_absence_dates or []) < 3:
            result.add("current_year_absence_dates", _("List at least three unexcused absences of this school year."))

    # 4 and 5. Attachments; online schools.
    kinds = {a.kind for a in referral.attachments}
    has_record = AttachmentKind.ATTENDANCE_RECORD in kinds
    if not has_record:
        result.add("attachments", _("Missing: attendance record PDF."))
    result.standing.append((has_record, _("Attendance record PDF attached.") if has_record
                            else _("Missing: attendance record PDF.")))
    if referral.school is not None and referral.school.kind == SchoolKind.ONLINE:
        if not (referral.disenrollment_considered or referral.prior_school_referral_this_year):
            result.add("disenrollment_considered", _("Online schools refer a student who is being considered for "
                                                     "disenrollment or was referred by a prior school this year."))
        if AttachmentKind.DISENROLLMENT_EVIDENCE not in kinds:
            result.add("attachments", _("Missing: evidence of disenrollment PDF (online schools)."))

    # 6. Conditional fields, family, interventions.
    if referral.student_grade is not None and referral.student_grade >= 9:
        for name in ("credits_earned", "credits_required"):
            if getattr(referral, name) is None:
                result.add(name, _("Required for grades 9-12."))
    if referral.student_interpreter_needed and not (referral.student_language or "").strip():
        result.add("student_language", _("Enter the language the interpreter should speak."))
    if (referral.has_504_plan or referral.has_iep or referral.has_other_support) and not (
            referral.disability_description or "").strip():
        result.add("disability_description", _("Describe the disability or support."))
    if not any(member.has_phone for member in referral.family_members):
        result.add("family_members", _("Add at least one family member with a phone number."))
    interventions = {}
    for item in referral.interventions:
        interventions.setdefault(item.kind, []).append(item)
    if not any(i.date for i in interventions.get(InterventionKind.WARNING_LETTER_3_DAY, [])):
        result.add("interventions", _("Enter the date the 3-day warning letter was sent."))
    if not any(i.date or (i.note or "").strip() for i in interventions.get(InterventionKind.PARENT_MEETING, [])):
        result.add("interventions", _("Enter the date of the parent meeting, or why it was not held."))

    # 7. No second open referral for the same student this year.
    if year is not None:
        duplicate = open_duplicate(referral, year)
        if duplicate is not None and duplicate.school_id == referral.school_id:
            # The same school may see its own referral: say which one.
            result.add("student_last_name", _("This student already has an open referral this school year "
                                              "at your school (referral #%(id)d).", id=duplicate.id))
        elif duplicate is not None:  # another school's: say only that one exists
            result.add("student_last_name", _("This student already has an open referral this school year."))
    return result
