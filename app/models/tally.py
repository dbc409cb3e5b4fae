"""Running referral counts for the reports, one row per combination of the grouped fields.

Kept current in the same transaction as every change of a referral (``app.services.tally``),
so a year of a million referrals is summarised from a few thousand rows. Missing values are
stored as sentinels (grade -1, sex and race '') so that the unique key sees them as equal.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class ReferralTally(Model):
    __tablename__ = "referral_tally"
    __table_args__ = (
        UniqueConstraint("school_year_id", "school_id", "status", "grade", "sex", "race", "month",
                         name="uq_referral_tally_key"),
        CheckConstraint("n >= 0", name="ck_referral_tally_n"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(Integer, nullable=False)
    school_id: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    grade: Mapped[int] = mapped_column(Integer, nullable=False)
    sex: Mapped[str] = mapped_column(String(1), nullable=False)
    race: Mapped[str] = mapped_column(String(20), nullable=False)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
