"""Attachments: metadata in ``attachment``, bytes in ``attachment_content``.

Content lives in the database, addressed by its SHA-256, so that one transaction covers the
row and its bytes: a failed upload or a purge can never leave an orphan file or a dangling
row. ``app.storage`` is the only module that reads or writes ``attachment_content``.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.clock import now
from app.models.enums import AttachmentKind, check_in
from app.models.referral import Referral


class AttachmentContent(Model):
    __tablename__ = "attachment_content"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="ck_attachment_content_size"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class Attachment(Model):
    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(check_in("kind", AttachmentKind), name="ck_attachment_kind"),
        CheckConstraint("size_bytes >= 0", name="ck_attachment_size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False, default="application/pdf")
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(
        ForeignKey("attachment_content.sha256", ondelete="RESTRICT"), nullable=False, index=True
    )
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=now)

    referral: Mapped[Referral] = relationship(back_populates="attachments")
    uploaded_by = relationship("PortalUser")

    def __repr__(self) -> str:
        return self.filename
