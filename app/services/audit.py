"""The audit trail. ``record`` adds an event to the current transaction, so the event commits
or rolls back with the change it describes. Never pass student data in ``detail``."""
from __future__ import annotations

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent
from app.security import request_user


def record(
    action: str,
    object_type: str | None = None,
    object_id: int | None = None,
    school_id: int | None = None,
    detail: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Add an audit event for ``actor`` (default: the request's user)."""
    actor = actor if actor is not None else request_user()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        school_id=school_id,
        actor_id=getattr(actor, "id", None),
        actor_username=getattr(actor, "username", None),
        ip_address=request.remote_addr if has_request_context() else None,
        detail=detail or None,
    )
    db.session.add(event)
    return event
