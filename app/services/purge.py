"""The draft purge: drafts created more than 30 days ago are deleted with every child row and
their attachment content; their creators are warned once from day 23.

Exact and idempotent: only ``status = 'draft'`` rows older than the cutoff are ever deleted, the
condition is re-checked in the DELETE itself, and each batch is one transaction (a kill leaves
whole batches done and the rest for the next run). One run at a time: a PostgreSQL advisory
lock, or a lock file beside the SQLite database.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, delete, exists, func, insert, literal, select, text, update

from app.clock import now
from app.extensions import db
from app.models import Attachment, AttachmentContent, AuditEvent, PortalUser, Referral
from app.models.enums import Status
from app.services import audit, notify, tally
from app.services.referrals import PURGE_AFTER_DAYS, WARN_AFTER_DAYS

log = logging.getLogger(__name__)

PURGE_AFTER = dt.timedelta(days=PURGE_AFTER_DAYS)
WARN_AFTER = dt.timedelta(days=WARN_AFTER_DAYS)
BATCH = 5000
ADVISORY_LOCK_KEY = 7_260_023  # any constant shared by every purge process


class PurgeBusy(Exception):
    """Another purge holds the lock."""


@dataclass
class PurgeResult:
    as_of: dt.datetime
    warned: int = 0
    deleted: int = 0
    dry_run: bool = False

    def describe(self) -> str:
        prefix = "Dry run: would warn" if self.dry_run else "Warned"
        verb = "would delete" if self.dry_run else "deleted"
        return f"{prefix} {self.warned} draft creator(s); {verb} {self.deleted} draft(s) (as of {self.as_of:%Y-%m-%d %H:%M})."


def reference_moment(as_of: dt.date | None) -> dt.datetime:
    """The moment the 30 days count back from: now, or ``as_of`` at the current time of day."""
    current = now()
    return current if as_of is None else dt.datetime.combine(as_of, current.time())


def _due(cutoff: dt.datetime):
    return and_(Referral.status == Status.DRAFT.value, Referral.created_at < cutoff)


@contextlib.contextmanager
def run_lock():
    """Hold the purge lock for the duration, or raise ``PurgeBusy``."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar()
            if not got:
                raise PurgeBusy("Another purge is running.")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                connection.commit()
    else:
        path = os.path.join(current_app.config["DATA_DIR"], "purge.lock")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PurgeBusy("Another purge is running.") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _delete_batch(ids: list[int], cutoff: dt.datetime) -> int:
    """Delete the drafts among ``ids`` that are still due, their children (by ON DELETE CASCADE)
    and their attachment content no other attachment uses; write one audit event per deleted
    draft (its id and school). Returns how many were deleted."""
    keys = list(db.session.scalars(select(Attachment.sha256).where(Attachment.referral_id.in_(ids)).distinct()))
    tally.removed(db.session.connection(), and_(Referral.id.in_(ids), _due(cutoff)))
    gone = (delete(Referral).where(Referral.id.in_(ids), _due(cutoff))
            .returning(Referral.id, Referral.school_id))
    moment = now()
    if db.session.get_bind().dialect.name == "postgresql":
        # One statement: the audit rows come straight from the DELETE, never through Python.
        gone_cte = gone.cte("gone")
        deleted = db.session.execute(
            insert(AuditEvent).from_select(
                ["at", "action", "object_type", "object_id", "school_id", "actor_username"],
                select(literal(moment), literal("purge"), literal("referral"), gone_cte.c.id,
                       gone_cte.c.school_id, literal("purge")),
            ).returning(AuditEvent.id)
        ).scalars()
        deleted = sum(1 for _ in deleted)
    else:
        rows = db.session.execute(gone.execution_options(synchronize_session=False)).all()
        if rows:
            db.session.execute(insert(AuditEvent), [
                {"at": moment, "action": "purge", "object_type": "referral", "object_id": rid,
                 "school_id": school_id, "actor_username": "purge"} for rid, school_id in rows
            ])
        deleted = len(rows)
    if keys:
        db.session.execute(
            delete(AttachmentContent).where(
                AttachmentContent.sha256.in_(keys),
                ~exists().where(Attachment.sha256 == AttachmentContent.sha256),
            ).execution_options(synchronize_session=False)
        )
    return deleted


def _warn(reference: dt.datetime, dry_run: bool) -> int:
    """Warn each creator of a draft 23 to 30 days old, once per draft."""
    cutoff = reference - PURGE_AFTER
    warn_from = reference - WARN_AFTER
    rows = db.session.execute(
        select(Referral.id, Referral.created_at, PortalUser.email)
        .join(PortalUser, PortalUser.id == Referral.created_by_id)
        .where(Referral.status == Status.DRAFT.value, Referral.created_at <= warn_from,
               Referral.created_at >= cutoff, Referral.purge_warning_sent_at.is_(None))
        .order_by(Referral.id)
    ).all()
    if dry_run:
        return len(rows)
    warned = 0
    for referral_id, created_at, email in rows:
        days_left = max(0, (created_at + PURGE_AFTER - reference).days)
        notify.send(
            email,
            ngettext("A draft truancy referral will be deleted in %(num)d day",
                     "A draft truancy referral will be deleted in %(num)d days", days_left),
            ngettext("A draft referral you started has not been submitted. Drafts are deleted 30 days after "
                     "they are started; this one will be deleted in %(num)d day.\n\nOpen it here to finish "
                     "and submit it:\n%(link)s\n",
                     "A draft referral you started has not been submitted. Drafts are deleted 30 days after "
                     "they are started; this one will be deleted in %(num)d days.\n\nOpen it here to finish "
                     "and submit it:\n%(link)s\n",
                     days_left, link=notify.link(f"/referrals/{referral_id}")),
        )
        # Mark it at once: a crash after this point never sends the same warning twice.
        db.session.execute(update(Referral).where(Referral.id == referral_id)
                           .values(purge_warning_sent_at=now()).execution_options(synchronize_session=False))
        db.session.commit()
        warned += 1
    return warned


def purge_drafts(as_of: dt.date | None = None, dry_run: bool = False, batch: int | None = None,
                 reference: dt.datetime | None = None) -> PurgeResult:
    """Warn, then delete every due draft in batches of ``batch`` (one transaction each)."""
    batch = batch or int(current_app.config.get("PORTAL_PURGE_BATCH") or BATCH)
    reference = reference or reference_moment(as_of)
    cutoff = reference - PURGE_AFTER
    result = PurgeResult(as_of=reference, dry_run=dry_run)
    with run_lock():
        if dry_run:
            result.deleted = db.session.scalar(select(func.count(Referral.id)).where(_due(cutoff)))
            result.warned = _warn(reference, dry_run=True)
            db.session.rollback()
            return result
        result.warned = _warn(reference, dry_run=False)
        while True:
            ids = list(db.session.scalars(select(Referral.id).where(_due(cutoff)).order_by(Referral.id).limit(batch)))
            if not ids:
                break
            result.deleted += _delete_batch(ids, cutoff)
            db.session.commit()
            log.info("Purge: %d drafts deleted so far", result.deleted)
            pause = current_app.config.get("PORTAL_PURGE_BATCH_PAUSE")
            if pause:  # tests slow the run down to interrupt it between batches
                import time

                time.sleep(float(pause))
        audit.record("purge_run", detail={"warned": result.warned, "deleted": result.deleted,
                                          "as_of": reference.isoformat(timespec="seconds")},
                     actor=None)
        db.session.commit()
    return result


def recent_runs(limit: int = 20) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "purge_run").order_by(AuditEvent.at.desc()).limit(limit)
    ).all()
