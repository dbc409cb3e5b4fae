"""The referral aggregate: the referral and its family members, interventions, messages and
status history. Children go with their referral (``ON DELETE CASCADE``)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now
from app.models.enums import CloseReason, InterventionKind, Race, Sex, Status, check_in
from app.models.school import School, SchoolYear

_NON_NEGATIVE = (
    "unexcused_full_days",
    "unexcused_half_days",
    "excused_absences",
    "tardies",
    "credits_earned",
    "credits_required",
)


class Referral(Model):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(check_in("status", Status), name="ck_referral_status"),
        CheckConstraint(
            "student_sex IS NULL OR " + check_in("student_sex", Sex), name="ck_referral_sex"
        ),
        CheckConstraint(
            "student_race IS NULL OR " + check_in("student_race", Race), name="ck_referral_race"
        ),
        CheckConstraint(
            "student_grade IS NULL OR (student_grade >= 0 AND student_grade <= 12)",
            name="ck_referral_grade",
        ),
        *(
            CheckConstraint(f"{col} IS NULL OR {col} >= 0", name=f"ck_referral_{col}_non_negative")
            for col in _NON_NEGATIVE
        ),
        # The school user's list: their school's referrals by status, newest first.
        Index("ix_referral_school_status_created", "school_id", "status", "created_at"),
        # The list pages: newest first (ties by id), for one school or for the county.
        Index("ix_referral_school_created_id", "school_id", "created_at", "id"),
        Index("ix_referral_created_id", "created_at", "id"),
        # County queues and the purge: by status and age.
        Index("ix_referral_status_created", "status", "created_at"),
        Index("ix_referral_year_status", "school_year_id", "status"),
        # The county's reports: every grouping of a school year read from the index alone.
        Index("ix_referral_year_report", "school_year_id", "school_id", "status", "student_grade",
              "student_sex", "student_race", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=Status.DRAFT.value)
    created_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    assigned_to_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now, onupdate=now)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    purge_warning_sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # Normalized "last|first|dob" used to find the same student across schools and years.
    student_match_key: Mapped[Optional[str]] = mapped_column(String(220), index=True)

    # Student tab
    student_first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    student_middle_name: Mapped[Optional[str]] = mapped_column(String(100))
    student_last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    student_dob: Mapped[Optional[dt.date]] = mapped_column(Date)
    student_sex: Mapped[Optional[str]] = mapped_column(String(1))
    student_race: Mapped[Optional[str]] = mapped_column(String(20))
    student_address: Mapped[Optional[str]] = mapped_column(String(200))
    student_city: Mapped[Optional[str]] = mapped_column(String(100))
    student_state: Mapped[Optional[str]] = mapped_column(String(2))
    student_zip: Mapped[Optional[str]] = mapped_column(String(10))
    student_grade: Mapped[Optional[int]] = mapped_column(Integer)
    credits_earned: Mapped[Optional[float]] = mapped_column(Float)
    credits_required: Mapped[Optional[float]] = mapped_column(Float)
    student_interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    student_language: Mapped[Optional[str]] = mapped_column(String(60))

    # Truancy tab
    unexcused_full_days: Mapped[Optional[int]] = mapped_column(Integer)
    unexcused_half_days: Mapped[Optional[int]] = mapped_column(Integer)
    excused_absences: Mapped[Optional[int]] = mapped_column(Integer)
    tardies: Mapped[Optional[int]] = mapped_column(Integer)
    relevant_information: Mapped[Optional[str]] = mapped_column(Text)
    is_re_referral: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    prior_year_absence_dates: Mapped[Optional[list]] = mapped_column(JSON)
    current_year_absence_dates: Mapped[Optional[list]] = mapped_column(JSON)

    # Online school
    disenrollment_considered: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    prior_school_referral_this_year: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Special education tab
    has_504_plan: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_iep: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_other_support: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disability_description: Mapped[Optional[str]] = mapped_column(Text)

    # Contacts tab
    primary_contact_name: Mapped[Optional[str]] = mapped_column(String(150))
    primary_contact_phone: Mapped[Optional[str]] = mapped_column(String(30))
    primary_contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    case_manager_name: Mapped[Optional[str]] = mapped_column(String(150))
    case_manager_email: Mapped[Optional[str]] = mapped_column(String(254))

    school: Mapped[School] = relationship(School, lazy="joined")
    school_year: Mapped[SchoolYear] = relationship(SchoolYear, lazy="joined")
    created_by = relationship("PortalUser", foreign_keys=[created_by_id])
    assigned_to = relationship("PortalUser", foreign_keys=[assigned_to_id])
    family_members: Mapped[list["FamilyMember"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="FamilyMember.id",
    )
    interventions: Mapped[list["Intervention"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Intervention.id",
    )
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Attachment.id",
    )
    messages: Mapped[list["Message"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Message.created_at",
    )
    status_changes: Mapped[list["StatusChange"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="StatusChange.changed_at",
    )

    @property
    def student_name(self) -> str:
        return " ".join(p for p in (self.student_first_name, self.student_last_name) if p)

    @property
    def status_label(self):
        return Status(self.status).label

    def __repr__(self) -> str:
        return f"Referral #{self.id}"


class FamilyMember(Model):
    __tablename__ = "family_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Declared before the ``relationship`` column below, which shadows the function name.
    referral: Mapped[Referral] = relationship(back_populates="family_members")
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    relationship: Mapped[Optional[str]] = mapped_column(String(60))  # the contract's field name
    address: Mapped[Optional[str]] = mapped_column(String(200))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    state: Mapped[Optional[str]] = mapped_column(String(2))
    zip: Mapped[Optional[str]] = mapped_column(String(10))
    phone_cell: Mapped[Optional[str]] = mapped_column(String(30))
    phone_home: Mapped[Optional[str]] = mapped_column(String(30))
    phone_work: Mapped[Optional[str]] = mapped_column(String(30))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    language: Mapped[Optional[str]] = mapped_column(String(60))

    @property
    def has_phone(self) -> bool:
        return any((self.phone_cell, self.phone_home, self.phone_work))

    def __repr__(self) -> str:
        return self.name


class Intervention(Model):
    __tablename__ = "intervention"
    __table_args__ = (CheckConstraint(check_in("kind", InterventionKind), name="ck_intervention_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    date: Mapped[Optional[dt.date]] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="interventions")

    def __repr__(self) -> str:
        return str(InterventionKind(self.kind).label)


class Message(Model):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now)

    referral: Mapped[Referral] = relationship(back_populates="messages")
    author = relationship("PortalUser")


class StatusChange(Model):
    __tablename__ = "status_change"
    __table_args__ = (
        CheckConstraint(
            "from_status IS NULL OR " + check_in("from_status", Status), name="ck_status_change_from"
        ),
        CheckConstraint(check_in("to_status", Status), name="ck_status_change_to"),
        CheckConstraint(
            "reason IS NULL OR " + check_in("reason", CloseReason), name="ck_status_change_reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[Optional[str]] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now)
    note: Mapped[Optional[str]] = mapped_column(Text)
    reason: Mapped[Optional[str]] = mapped_column(String(20))

    referral: Mapped[Referral] = relationship(back_populates="status_changes")
    changed_by = relationship("PortalUser")
