"""The portal user: FAB's user with the school a School Staff member belongs to."""
from __future__ import annotations

from typing import Optional

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.school import School


class PortalUser(User):
    """``ab_user`` plus ``school_id``.

    Relationships inside FAB (``created_by``, role users) still yield the base ``User``:
    never read ``.school_id`` through them, look the user up as ``PortalUser``.
    """

    __tablename__ = "ab_user"

    school_id: Mapped[Optional[int]] = mapped_column(
        Integer, ForeignKey("school.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    school: Mapped[Optional[School]] = relationship(School, lazy="joined")
    # Bumped to end every session and API token of the user at once (logout, deactivation,
    # a move to another school, a new password).
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    @property
    def dormant(self) -> bool:
        """Unused for 180 days (never signed in counts from the account's creation)."""
        from app.services.accounts import is_dormant

        return is_dormant(self)
