"""The status workflow of contract section 7: one table, the predicates that the buttons, the
API and the service all ask, and the one function that changes a status."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.clock import now
from app.extensions import db
from app.models import PortalUser, Referral, StatusChange
from app.models.enums import CloseReason, Status
from app.security import COUNTY_STAFF, is_county_user, is_school_user, role_names, scope_for
from app.services import audit, eligibility, notify, tally
from app.services.errors import Collector, Conflict, Forbidden, NotFound, ValidationFailed

SCHOOL, COUNTY = "school", "county"


@dataclass(frozen=True)
class Move:
    sources: frozenset[Status]
    to: Status
    side: str  # who may make it: SCHOOL or COUNTY
    needs_note: bool = False
    needs_reason: bool = False
    label: object = None


MOVES = [
    Move(frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, SCHOOL, label=_l("Submit")),
    Move(frozenset({Status.SUBMITTED}), Status.WITHDRAWN, SCHOOL, needs_note=True, label=_l("Withdraw")),
    Move(frozenset({Status.SUBMITTED}), Status.UNDER_REVIEW, COUNTY, label=_l("Review")),
    Move(frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.RETURNED, COUNTY, needs_note=True,
         label=_l("Return")),
    Move(frozenset({Status.UNDER_REVIEW}), Status.ACCEPTED, COUNTY, label=_l("Accept")),
    Move(frozenset({Status.UNDER_REVIEW}), Status.DECLINED, COUNTY, needs_note=True, label=_l("Decline")),
    Move(frozenset({Status.ACCEPTED}), Status.CLOSED, COUNTY, needs_reason=True, label=_l("Close")),
]
MOVES_TO = {move.to: move for move in MOVES}


def side_of(user) -> str | None:
    if is_county_user(user):
        return COUNTY
    if is_school_user(user):
        return SCHOOL
    return None


def may_ever(user, to: Status) -> bool:
    """Whether ``user``'s role may ever make a move to ``to`` (403 when not)."""
    move = MOVES_TO.get(to)
    return move is not None and side_of(user) == move.side


def can_move(user, referral: Referral, to: Status) -> bool:
    """Whether ``user`` may move ``referral`` to ``to`` now."""
    move = MOVES_TO.get(to)
    return (may_ever(user, to) and scope_for(user).allows(referral.school_id)
            and Status(referral.status) in move.sources)


def available_moves(user, referral: Referral) -> list[Move]:
    return [move for move in MOVES if can_move(user, referral, move.to)]


def transition(referral: Referral, to, user, note: str | None = None, reason: str | None = None,
               assigned_to: int | None = None) -> StatusChange:
    """Move ``referral`` to ``to``: check role (403), status (409) and needs (422), then change the
    status, write the history row and the audit event, in the caller's transaction. Two
    concurrent moves of one referral: exactly one wins, the other gets 409."""
    if not scope_for(user).allows(referral.school_id):
        raise NotFound(_("Not found."))
    try:
        to = Status(to)
    except ValueError:
        raise ValidationFailed(_("Unknown status."), {"to": [_("Choose one of: %(values)s.",
                                                                 values=", ".join(Status.values()))]}) from None
    if not may_ever(user, to):
        raise Forbidden(_("Your role may not move a referral to %(status)s.", status=to.label))
    move = MOVES_TO[to]
    current = Status(referral.status)
    if current not in move.sources:
        raise Conflict(_("A %(current)s referral cannot be moved to %(status)s.", current=current.label,
                         status=to.label))
    errors = Collector()
    note = (note or "").strip() or None
    if move.needs_note and not note:
        errors.add("note", _("Add a note."))
    if move.needs_reason and reason not in CloseReason.values():
        errors.add("reason", _("Choose one of: %(values)s.", values=", ".join(CloseReason.values())))
    if assigned_to is not None and to == Status.ACCEPTED:
        caseworker = db.session.get(PortalUser, assigned_to)
        if caseworker is None or COUNTY_STAFF not in role_names(caseworker):
            errors.add("assigned_to", _("Choose a County Staff user."))
    errors.raise_if_any(_("The referral was not moved."))
    if to == Status.SUBMITTED:
        result = eligibility.evaluate(referral)
        if not result.ok:
            raise ValidationFailed(_("The referral cannot be submitted yet."), result.errors)

    moment = now()
    tally_values = {name: getattr(referral, name) for name in tally.KEY}
    values = {"status": to.value, "updated_at": moment}
    if to == Status.SUBMITTED:
        values["submitted_at"] = moment
    if to == Status.ACCEPTED and assigned_to is not None:
        values["assigned_to_id"] = assigned_to
    # Compare-and-set: only the move that still sees the old status changes the row.
    changed = db.session.execute(
        update(Referral).where(Referral.id == referral.id, Referral.status == current.value).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(_("Someone else changed this referral just now; reload and try again."))
    tally.moved(db.session.connection(), tally_values, to.value)
    db.session.refresh(referral)
    change = StatusChange(referral_id=referral.id, from_status=current.value, to_status=to.value,
                          changed_by_id=user.id, changed_at=moment, note=note,
                          reason=reason if move.needs_reason else None)
    db.session.add(change)
    audit.record("submit" if to == Status.SUBMITTED else "transition", "referral", referral.id,
                 school_id=referral.school_id, detail={"from": current.value, "to": to.value}, actor=user)
    db.session.flush()
    if to == Status.SUBMITTED:
        notify.referral_event(referral, "submitted")
    if referral.created_by_id != user.id:
        notify.referral_event(referral, "status", to.label)
    return change


def submit(referral: Referral, user) -> StatusChange:
    """Submit a draft or returned referral after every rule of section 6 (422 with all failures)."""
    return transition(referral, Status.SUBMITTED, user)


def caseworkers() -> list[PortalUser]:
    """Active County Staff users, for the Accept button's caseworker choice."""
    from sqlalchemy import select

    from app.models.user import PortalUser as User

    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.last_name)).unique().all()
    return [user for user in users if COUNTY_STAFF in role_names(user)]
