"""Enumerations of the contract, each with a translatable label.

Values are stored as strings with a CHECK constraint (see ``check_in``), so the database
refuses a value the code does not know.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable label."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        return [(m.value, m.label) for m in cls]


class SchoolKind(LabelledEnum):
    PUBLIC = "public", _l("Public")
    CHARTER = "charter", _l("Charter")
    ONLINE = "online", _l("Online")
    ALC = "alc", _l("Area Learning Center")
    PRIVATE = "private", _l("Private")


class Status(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    UNDER_REVIEW = "under_review", _l("Under review")
    RETURNED = "returned", _l("Returned")
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    CLOSED = "closed", _l("Closed")


class Sex(LabelledEnum):
    F = "F", _l("Female")
    M = "M", _l("Male")
    X = "X", _l("Non-binary / not listed")


class Race(LabelledEnum):
    AMERICAN_INDIAN = "american_indian", _l("American Indian or Alaska Native")
    ASIAN = "asian", _l("Asian")
    BLACK = "black", _l("Black or African American")
    HISPANIC = "hispanic", _l("Hispanic or Latino")
    PACIFIC_ISLANDER = "pacific_islander", _l("Native Hawaiian or Pacific Islander")
    WHITE = "white", _l("White")
    MULTIRACIAL = "multiracial", _l("Two or more races")
    UNKNOWN = "unknown", _l("Unknown")


class InterventionKind(LabelledEnum):
    # Dated kinds: a date is required (parent_meeting: a date or a note why none was held).
    WARNING_LETTER_3_DAY = "warning_letter_3_day", _l("Truancy 3-day warning letter sent to parents")
    REFERRAL_LETTER = "referral_letter", _l("Truancy referral letter sent to parents")
    MEDICAL_DOCUMENTATION = "medical_documentation", _l("Medical documentation to excuse further absences")
    PARENT_MEETING = "parent_meeting", _l("Meeting with parent and student about attendance")
    SERVICES_PLAN = "services_plan", _l("Student services plan / diversion plan / contract completed")
    SPECIAL_ED_TESTING = "special_ed_testing", _l("Initiated special education testing")
    # Checklist kinds.
    ELL_PARENT_CALL_IN_HELP = "ell_parent_call_in_help", _l("Helped an ELL parent learn to call in or use the cultural liaison")
    SUPPORT_GROUPS = "support_groups", _l("Engaged student in in-school social/support groups")
    BEHAVIOR_CONTRACT = "behavior_contract", _l("Individual behavior/academic contract with the student")
    ATTENDANCE_INCENTIVES = "attendance_incentives", _l("Incentives/rewards for good attendance")
    TUTORING_MENTORING = "tutoring_mentoring", _l("Tutoring/academic mentoring services")
    SUSPENSION_ALTERNATIVES = "suspension_alternatives", _l("Alternatives to out-of-school suspension")
    COMMUNITY_PROGRAM_REFERRAL = "community_program_referral", _l("Referred parents/student to community programs")
    EXTRACURRICULAR_ENCOURAGED = "extracurricular_encouraged", _l("Encouraged extracurricular activities")
    MORNING_SIGN_IN = "morning_sign_in", _l("Morning sign-in with a staff person")
    TRANSPORTATION_ALTERNATIVES = "transportation_alternatives", _l("Transportation alternatives explored")
    MODIFIED_SCHEDULE = "modified_schedule", _l("Modified class schedule")
    COUNSELOR_VISITS = "counselor_visits", _l("Student visits with the school counselor")
    MENTAL_HEALTH_REFERRAL = "mental_health_referral", _l("Referral to school-based/linked mental health services")
    ALTERNATIVE_PROGRAMS = "alternative_programs", _l("Alternative programs (ALC, work release/YTP)")
    OTHER = "other", _l("Other youth and family interventions")


DATED_INTERVENTIONS = frozenset(
    {
        InterventionKind.WARNING_LETTER_3_DAY,
        InterventionKind.REFERRAL_LETTER,
        InterventionKind.MEDICAL_DOCUMENTATION,
        InterventionKind.PARENT_MEETING,
        InterventionKind.SERVICES_PLAN,
        InterventionKind.SPECIAL_ED_TESTING,
    }
)


class AttachmentKind(LabelledEnum):
    ATTENDANCE_RECORD = "attendance_record", _l("Attendance record")
    SERVICES_PLAN = "services_plan", _l("Services plan / attendance contract")
    DISENROLLMENT_EVIDENCE = "disenrollment_evidence", _l("Evidence of disenrollment")
    OTHER = "other", _l("Other")


class CloseReason(LabelledEnum):
    IMPROVED = "improved", _l("Attendance improved")
    MOVED = "moved", _l("Moved")
    AGED_OUT = "aged_out", _l("Aged out")
    NO_ENGAGEMENT = "no_engagement", _l("No engagement")
    COURT_PETITION = "court_petition", _l("Court petition")
    OTHER = "other", _l("Other")


class AccessRequestStatus(LabelledEnum):
    PENDING = "pending", _l("Pending")
    APPROVED = "approved", _l("Approved")
    DENIED = "denied", _l("Denied")


def check_in(column: str, enum_cls: type[LabelledEnum]) -> str:
    """SQL text for a CHECK constraint that ``column`` holds a member of ``enum_cls``."""
    quoted = ", ".join(f"'{v}'" for v in enum_cls.values())
    return f"{column} IN ({quoted})"
