"""The audit log: who did what to which record of which school, and when.

No foreign keys: an event outlives the user, the referral and the school it names (a purged
draft keeps its events). Events never carry student data; ``detail`` holds ids and codes.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now

BigId = BigInteger().with_variant(Integer, "sqlite")


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_school_at", "school_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    actor_username: Mapped[Optional[str]] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    object_type: Mapped[Optional[str]] = mapped_column(String(40))
    object_id: Mapped[Optional[int]] = mapped_column(Integer)
    school_id: Mapped[Optional[int]] = mapped_column(Integer)
    ip_address: Mapped[Optional[str]] = mapped_column(String(45))
    detail: Mapped[Optional[dict]] = mapped_column(JSON)
