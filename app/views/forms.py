"""WTForms for the referral page. Field checks reuse ``app.validators`` (the same functions the
services apply), so a rule is never written twice."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app import validators
from app.models.enums import AttachmentKind, Race, Sex

BLANK = ("", "—")
GRADES = [BLANK] + [("0", _l("Kindergarten"))] + [(str(g), str(g)) for g in range(1, 13)]


def check(rule):
    """A WTForms validator from a pure validator of ``app.validators``."""

    def run(form, field):
        message = rule(field.data)
        if message:
            raise ValidationError(str(message))

    return run


def optional_int(value):
    return int(value) if value not in (None, "") else None


class DateListField(TextAreaField):
    """Dates, one per line (or separated by commas), kept as a list of ISO strings."""

    def _value(self):
        return "\n".join(self.data or [])

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        parts = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]
        self.data = parts or None

    def pre_validate(self, form):
        message = validators.iso_date_list(self.data)
        if message:
            raise ValidationError(str(message))
        if self.data:
            self.data = [dt.date.fromisoformat(p).isoformat() for p in self.data]


def _text(label, size=100, *rules, description=None):
    return StringField(label, [Optional(), Length(max=size), *[check(r) for r in rules]], description=description)


def _count(label, description=None):
    return IntegerField(label, [Optional(), NumberRange(min=0, message=_l("Must not be negative."))],
                        description=description)


class ReferralForm(FlaskForm):
    """Every referral field of contract section 5, grouped by the county form's tabs."""

    # Student
    student_first_name = _text(_l("First name"))
    student_middle_name = _text(_l("Middle name"))
    student_last_name = _text(_l("Last name"))
    student_dob = DateField(_l("Date of birth"), [Optional()], description=_l("Referrals are for ages 12 to 16."))
    student_sex = SelectField(_l("Sex"), choices=[BLANK] + Sex.choices(), validators=[Optional()])
    student_race = SelectField(_l("Race"), choices=[BLANK] + Race.choices(), validators=[Optional()])
    student_address = _text(_l("Street address"), 200)
    student_city = _text(_l("City"))
    student_state = _text(_l("State"), 2, validators.state, description=_l("Two letters, such as MN."))
    student_zip = _text(_l("ZIP code"), 10, validators.zip_code)
    student_grade = SelectField(_l("Current grade"), choices=GRADES, coerce=optional_int, validators=[Optional()])
    credits_earned = FloatField(_l("Credits earned to date"), [Optional(), NumberRange(min=0)])
    credits_required = FloatField(_l("Credits required to graduate"), [Optional(), NumberRange(min=0)])
    student_interpreter_needed = BooleanField(_l("Interpreter needed"))
    student_language = _text(_l("Language"), 60)
    # Truancy
    unexcused_full_days = _count(_l("Unexcused full days"),
                                 _l("Days the student was not on school property without an excuse."))
    unexcused_half_days = _count(_l("Unexcused half days"),
                                 _l("More than three consecutive class periods missed in one day. "
                                    "Two half days count as one day."))
    excused_absences = _count(_l("Excused absences"))
    tardies = _count(_l("Tardies"))
    relevant_information = TextAreaField(_l("Relevant information"), [Optional(), Length(max=5000)],
                                         description=_l("Partial absences, tardies, excused absences, "
                                                        "expulsions, anything the county should know."))
    is_re_referral = BooleanField(_l("This is a re-referral"),
                                  description=_l("The student's truancy case of last school year is closed "
                                                 "and new unexcused absences have built up."))
    prior_year_absence_dates = DateListField(_l("Last four unexcused absences of last school year"),
                                             description=_l("One date per line, YYYY-MM-DD."))
    current_year_absence_dates = DateListField(_l("Unexcused absences of this school year (at least three)"),
                                               description=_l("One date per line, YYYY-MM-DD."))
    disenrollment_considered = BooleanField(_l("The student is being considered for disenrollment"))
    prior_school_referral_this_year = BooleanField(_l("The student was referred for truancy by a prior school "
                                                      "this school year"))
    # Special education
    has_504_plan = BooleanField(_l("Has a 504 accommodation plan, or one in process"))
    has_iep = BooleanField(_l("Has an Individual Education Plan (IEP), or one in process"))
    has_other_support = BooleanField(_l("Has other support services"))
    disability_description = TextAreaField(_l("Describe the disability or support"), [Optional(), Length(max=5000)])
    # Contacts
    primary_contact_name = _text(_l("Primary school contact"), 150)
    primary_contact_phone = _text(_l("Phone"), 30, validators.phone)
    primary_contact_email = _text(_l("Email"), 254, validators.email)
    case_manager_name = _text(_l("Case manager / teacher"), 150)
    case_manager_email = _text(_l("Case manager email"), 254, validators.email)

    def values(self) -> dict:
        """The submitted values, blanks as ``None``."""
        data = {}
        for name, field in self._fields.items():
            if name == "csrf_token":
                continue
            value = field.data
            if isinstance(value, str):
                value = value.strip() or None
            data[name] = value
        return data


class NewReferralForm(FlaskForm):
    student_first_name = StringField(_l("Student's first name"), [InputRequired(), Length(max=100)])
    student_last_name = StringField(_l("Student's last name"), [InputRequired(), Length(max=100)])


class FamilyMemberForm(FlaskForm):
    name = StringField(_l("Name"), [InputRequired(), Length(max=150)])
    relationship = _text(_l("Relationship to the student"), 60)
    address = _text(_l("Street address"), 200)
    city = _text(_l("City"))
    state = _text(_l("State"), 2, validators.state)
    zip = _text(_l("ZIP code"), 10, validators.zip_code)
    phone_cell = _text(_l("Cell phone"), 30, validators.phone)
    phone_home = _text(_l("Home phone"), 30, validators.phone)
    phone_work = _text(_l("Work phone"), 30, validators.phone)
    email = _text(_l("Email"), 254, validators.email)
    interpreter_needed = BooleanField(_l("Interpreter needed"))
    language = _text(_l("Language"), 60)

    values = ReferralForm.values


class AttachmentForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=AttachmentKind.choices())
    file = FileField(_l("PDF file"), [InputRequired(message=_l("Choose a PDF file."))])
