"""Requests for access from school staff, approved or denied by a County Admin."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now
from app.models.enums import AccessRequestStatus, check_in
from app.models.school import School


class AccessRequest(Model):
    __tablename__ = "access_request"
    __table_args__ = (
        CheckConstraint(check_in("status", AccessRequestStatus), name="ck_access_request_status"),
        Index("ix_access_request_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(64), nullable=False)
    last_name: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    phone: Mapped[str] = mapped_column(String(30), nullable=False)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    job_title: Mapped[str] = mapped_column(String(120), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default=AccessRequestStatus.PENDING.value
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now)
    decided_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decision_note: Mapped[Optional[str]] = mapped_column(Text)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    school: Mapped[School] = relationship(School)
