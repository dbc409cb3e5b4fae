"""Requests for access: a school's staff member asks, a County Admin approves or denies.

Approving creates an active School Staff user of the requested school and mails a link to set
a password; approving twice never makes two users. Denying needs a note, which is mailed.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.clock import now, today
from app.database import get_row
from app.extensions import db
from app.models import AccessRequest, PortalUser, School
from app.models.enums import AccessRequestStatus
from app.security import COUNTY_ADMIN, SCHOOL_STAFF, role_names
from app import validators
from app.services import accounts, audit, notify
from app.services.business_days import business_days_between
from app.services.errors import Collector, Conflict, NotFound, ValidationFailed

TARGET_BUSINESS_DAYS = 2
FIELDS = ("first_name", "last_name", "email", "phone", "school_id", "job_title", "reason")


def submit(values: dict) -> AccessRequest:
    """A new pending request; the county admins get a mail."""
    clean = {k: (values.get(k) or "").strip() if isinstance(values.get(k), str) else values.get(k) for k in FIELDS}
    errors = Collector()
    for name, label in (("first_name", _("first name")), ("last_name", _("last name")),
                        ("job_title", _("job title")), ("reason", _("why you need access"))):
        if not clean.get(name):
            errors.add(name, _("Enter your %(what)s.", what=label))
    for name, limit in (("first_name", 64), ("last_name", 64), ("job_title", 120), ("reason", 2000)):
        if clean.get(name) and len(clean[name]) > limit:
            errors.add(name, _("Use at most %(n)d characters.", n=limit))
    for name, noun, check in (("email", _("email"), validators.email), ("phone", _("phone number"), validators.phone)):
        if not clean.get(name):
            errors.add(name, _("Enter your work %(what)s.", what=noun))
        elif check(clean[name]):
            errors.add(name, str(check(clean[name])))
    school_id = clean.get("school_id")
    school = get_row(School, school_id)
    if school is None or not school.active:
        errors.add("school_id", _("Choose your school."))
    errors.raise_if_any(_("The request was not sent."))
    request = AccessRequest(**{**{k: clean[k] for k in FIELDS if k != "school_id"}, "email": clean["email"].lower(),
                               "school_id": school.id})
    db.session.add(request)
    db.session.flush()
    audit.record("access_requested", "access_request", request.id, school_id=school.id)
    for admin_email in county_admin_emails():
        notify.queue(admin_email, _("New request for portal access"),
                     _("Someone asked for access to the truancy referral portal. Review it here:\n%(link)s\n",
                       link=notify.link("/access-requests/")))
    return request


def county_admin_emails() -> list[str]:
    users = db.session.scalars(select(PortalUser).where(PortalUser.active.is_(True))).unique().all()
    return [u.email for u in users if COUNTY_ADMIN in role_names(u)]


def age_in_business_days(request: AccessRequest) -> int:
    return business_days_between(request.created_at.date(), today())


def is_overdue(request: AccessRequest) -> bool:
    return request.status == AccessRequestStatus.PENDING and age_in_business_days(request) > TARGET_BUSINESS_DAYS


def queue() -> list[AccessRequest]:
    """Pending first (oldest first), then the decided ones (newest first)."""
    pending = db.session.scalars(select(AccessRequest).where(AccessRequest.status == AccessRequestStatus.PENDING)
                                 .order_by(AccessRequest.created_at)).all()
    decided = db.session.scalars(select(AccessRequest).where(AccessRequest.status != AccessRequestStatus.PENDING)
                                 .order_by(AccessRequest.decided_at.desc()).limit(100)).all()
    return pending + decided


def _get(request_id) -> AccessRequest:
    request = get_row(AccessRequest, request_id)
    if request is None:
        raise NotFound(_("Not found."))
    return request


def _username_from(email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:40] or "user"
    candidate, n = base, 1
    while db.session.scalar(select(PortalUser.id).where(func.lower(PortalUser.username) == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def approve(request_id, admin) -> PortalUser:
    """Create the School Staff user and mail the set-password link. Idempotent."""
    from sqlalchemy import update

    database = db

    request = _get(request_id)
    if request.status == AccessRequestStatus.APPROVED:
        return database.session.get(PortalUser, request.user_id)
    if request.status == AccessRequestStatus.DENIED:
        raise Conflict(_("This request was denied."))
    if database.session.scalar(select(PortalUser.id).where(func.lower(PortalUser.email) == request.email)):
        raise Conflict(_("A user with this email address already exists."), {"email": [_("Taken.")]})
    # Claim the request first: of two approvals at once, only one sees it pending.
    claimed = database.session.execute(
        update(AccessRequest).where(AccessRequest.id == request.id,
                                    AccessRequest.status == AccessRequestStatus.PENDING.value)
        .values(status=AccessRequestStatus.APPROVED.value, decided_at=now(), decided_by_id=admin.id)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        database.session.rollback()
        raise Conflict(_("Someone else decided this request just now."))
    from flask import current_app

    sm_role = current_app.appbuilder.sm.find_role(SCHOOL_STAFF)
    user = PortalUser(username=_username_from(request.email), email=request.email, first_name=request.first_name,
                      last_name=request.last_name, active=True, school_id=request.school_id,
                      password=accounts.unusable_password())
    user.roles = [sm_role]
    database.session.add(user)
    database.session.flush()
    database.session.execute(update(AccessRequest).where(AccessRequest.id == request.id).values(user_id=user.id)
                             .execution_options(synchronize_session=False))
    database.session.refresh(request)
    audit.record("access_approved", "access_request", request.id, school_id=request.school_id,
                 detail={"user": user.id}, actor=admin)
    accounts.send_set_password_link(user, reason="welcome")
    return user


def deny(request_id, admin, note: str | None) -> AccessRequest:
    request = _get(request_id)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say why the request is denied."), {"note": [_("Add a note.")]})
    if request.status != AccessRequestStatus.PENDING:
        raise Conflict(_("This request was already decided."))
    request.status = AccessRequestStatus.DENIED.value
    request.decided_at, request.decided_by_id, request.decision_note = now(), admin.id, note
    db.session.flush()
    audit.record("access_denied", "access_request", request.id, school_id=request.school_id, actor=admin)
    notify.queue(request.email, _("Your request for portal access"),
                 _("Your request for access to the truancy referral portal was not approved:\n\n%(note)s\n",
                   note=note))
    return request
