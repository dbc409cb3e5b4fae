"""Attachment storage behind one small interface.

Bytes live in the ``attachment_content`` table, keyed by their SHA-256, inside the caller's
transaction: a failed upload rolls back with its row, and a purge that deletes attachment rows
calls ``collect_garbage`` in the same transaction, so no orphan bytes or dangling rows remain.
Nothing is ever written under ``static/`` or served from a public path.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import delete, select

from app.extensions import db
from app.models import Attachment, AttachmentContent


class DatabaseStorage:
    def put(self, data: bytes) -> str:
        """Store ``data`` (once per distinct content) and return its key."""
        key = hashlib.sha256(data).hexdigest()
        if db.session.get(AttachmentContent, key) is None:
            db.session.add(AttachmentContent(sha256=key, size_bytes=len(data), data=data))
            db.session.flush()
        return key

    def get(self, key: str) -> bytes | None:
        return db.session.scalar(select(AttachmentContent.data).where(AttachmentContent.sha256 == key))

    def release(self, key: str) -> None:
        """Delete the content ``key`` if no attachment refers to it any more."""
        still_used = select(Attachment.id).where(Attachment.sha256 == key).exists()
        db.session.execute(
            delete(AttachmentContent).where(AttachmentContent.sha256 == key, ~still_used)
        )

    def collect_garbage(self) -> int:
        """Delete content no attachment refers to; return how many were deleted."""
        referenced = select(Attachment.sha256).distinct()
        result = db.session.execute(
            delete(AttachmentContent).where(AttachmentContent.sha256.not_in(referenced))
        )
        return result.rowcount or 0


storage = DatabaseStorage()
