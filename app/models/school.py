"""Districts, schools and school years: the county's directory."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.enums import SchoolKind, check_in


class District(Model):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True, nullable=False)

    schools: Mapped[list["School"]] = relationship(back_populates="district")

    def __repr__(self) -> str:
        return self.name


class School(Model):
    __tablename__ = "school"
    __table_args__ = (CheckConstraint(check_in("kind", SchoolKind), name="ck_school_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True, nullable=False)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=SchoolKind.PUBLIC.value)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    district: Mapped[District] = relationship(back_populates="schools", lazy="joined")

    @property
    def is_online(self) -> bool:
        return self.kind == SchoolKind.ONLINE

    def __repr__(self) -> str:
        return self.name


class SchoolYear(Model):
    """A school year: its referral window and the eligibility thresholds in force."""

    __tablename__ = "school_year"
    __table_args__ = (
        CheckConstraint("starts < cutoff", name="ck_school_year_starts_before_cutoff"),
        CheckConstraint("ends IS NULL OR cutoff <= ends", name="ck_school_year_cutoff_before_ends"),
        CheckConstraint("min_age >= 0 AND min_age < max_age", name="ck_school_year_ages"),
        CheckConstraint("min_days >= 0 AND re_referral_days >= 0", name="ck_school_year_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    starts: Mapped[dt.date] = mapped_column(Date, nullable=False)
    cutoff: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ends: Mapped[Optional[dt.date]] = mapped_column(Date)
    min_age: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
    max_age: Mapped[int] = mapped_column(Integer, nullable=False, default=16)
    min_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    re_referral_days: Mapped[int] = mapped_column(Integer, nullable=False, default=3)

    def __repr__(self) -> str:
        return self.name
