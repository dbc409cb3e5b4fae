"""The county directory: districts, schools, school years and users.

The CLI and the County Admin views both call these functions; each validates everything,
reports every problem at once (``ValidationFailed``) and adds nothing when it refuses.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app.clock import today
from app.extensions import db
from app.models import District, School, SchoolYear
from app.models.enums import SchoolKind
from app.models.user import PortalUser
from app.security import COUNTY_ROLES, PORTAL_ROLES, SCHOOL_STAFF
from app.services import audit
from app.services.errors import Collector, ValidationFailed
from app.services.passwords import password_problems

SCHOOL_YEAR_NAME = re.compile(r"^(\d{4})-(\d{4})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{3,128}$")


def _clean(value: str | None) -> str:
    return (value or "").strip()


def find_by_name(model, name: str):
    """The row of ``model`` whose name equals ``name``, ignoring case and outer spaces."""
    return db.session.scalar(select(model).where(func.lower(model.name) == _clean(name).lower()))


# --- Districts and schools -----------------------------------------------------------


def create_district(name: str) -> tuple[District, bool]:
    """Return ``(district, created)``; an existing district of that name is returned as is."""
    name = _clean(name)
    if not name:
        raise ValidationFailed(_("A district needs a name."), {"name": [_("Enter a name.")]})
    existing = find_by_name(District, name)
    if existing:
        return existing, False
    district = District(name=name)
    db.session.add(district)
    db.session.flush()
    forget_choices()
    audit.record("create", "district", district.id)
    return district, True


def create_school(name: str, district: str, kind: str, active: bool = True) -> tuple[School, bool]:
    """Return ``(school, created)``. Idempotent on name: the same school again is returned as is;
    the same name with another district or kind is refused rather than silently changed."""
    name, kind = _clean(name), _clean(kind).lower()
    errors = Collector()
    if not name:
        errors.add("name", _("Enter a name."))
    if kind not in SchoolKind.values():
        errors.add("kind", _("Kind must be one of: %(kinds)s.", kinds=", ".join(SchoolKind.values())))
    district_row = find_by_name(District, district) if _clean(district) else None
    if district_row is None:
        errors.add("district", _("There is no district named “%(name)s”.", name=_clean(district)))
    errors.raise_if_any(_("The school was not created."))

    existing = find_by_name(School, name)
    if existing:
        if existing.district_id != district_row.id or existing.kind != kind:
            raise ValidationFailed(
                _("A school named “%(name)s” already exists in %(district)s (%(kind)s).",
                  name=existing.name, district=existing.district.name, kind=existing.kind),
                {"name": [_("This name is taken.")]},
            )
        return existing, False
    school = School(name=name, district_id=district_row.id, kind=kind, active=active)
    db.session.add(school)
    db.session.flush()
    forget_choices()
    audit.record("create", "school", school.id, school_id=school.id)
    return school, True


# --- School years --------------------------------------------------------------------


def school_year_problems(
    name: str, starts, cutoff, ends, min_age, max_age, min_days, re_referral_days
) -> Collector:
    """Every problem with a school year's values (used by the CLI and the admin form)."""
    errors = Collector()
    match = SCHOOL_YEAR_NAME.match(_clean(name))
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        errors.add("name", _("Use the form 2026-2027 (two consecutive years)."))
    if starts and cutoff and not starts < cutoff:
        errors.add("cutoff", _("The cutoff must come after the start."))
    if cutoff and ends and not cutoff <= ends:
        errors.add("ends", _("The end must be on or after the cutoff."))
    if min_age is not None and max_age is not None and not 0 <= min_age < max_age:
        errors.add("max_age", _("The maximum age must be greater than the minimum age."))
    for field, value in (("min_days", min_days), ("re_referral_days", re_referral_days)):
        if value is not None and value < 0:
            errors.add(field, _("Must not be negative."))
    return errors


def save_school_year(
    name: str,
    starts: dt.date,
    cutoff: dt.date,
    ends: dt.date | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    min_days: int | None = None,
    re_referral_days: int | None = None,
) -> tuple[SchoolYear, bool]:
    """Create the school year ``name`` or update it. Thresholds left as ``None`` keep their
    current value (or the contract's default for a new year)."""
    name = _clean(name)
    year = db.session.scalar(select(SchoolYear).where(SchoolYear.name == name))
    defaults = {"min_age": 12, "max_age": 16, "min_days": 7, "re_referral_days": 3}
    values = {"min_age": min_age, "max_age": max_age, "min_days": min_days,
              "re_referral_days": re_referral_days}
    for key, value in values.items():
        if value is None:
            values[key] = getattr(year, key) if year else defaults[key]
    if ends is None and year is not None:
        ends = year.ends
    school_year_problems(name, starts, cutoff, ends, **values).raise_if_any(
        _("The school year was not saved.")
    )
    created = year is None
    if created:
        year = SchoolYear(name=name)
        db.session.add(year)
    year.starts, year.cutoff, year.ends = starts, cutoff, ends
    for key, value in values.items():
        setattr(year, key, value)
    db.session.flush()
    forget_choices()
    audit.record("create" if created else "update", "school_year", year.id)
    return year, created


def school_year_for(day: dt.date | None = None) -> SchoolYear | None:
    """The school year that ``day`` (default today) falls in: the year whose start is the
    latest on or before ``day``."""
    day = day or today()
    return db.session.scalar(
        select(SchoolYear).where(SchoolYear.starts <= day).order_by(SchoolYear.starts.desc()).limit(1)
    )


# --- Users ---------------------------------------------------------------------------


def role_school_problems(role_names, school) -> Collector:
    """The one rule linking roles and schools: School Staff need a school, county roles
    have none, and a user holds exactly one portal role."""
    errors = Collector()
    role_names = set(role_names)
    if len(role_names & set(PORTAL_ROLES)) != 1:
        errors.add("roles", _("Choose exactly one role: %(roles)s.", roles=", ".join(PORTAL_ROLES)))
    if SCHOOL_STAFF in role_names and school is None:
        errors.add("school", _("A School Staff user must belong to a school."))
    if role_names & COUNTY_ROLES and school is not None:
        errors.add("school", _("County users do not belong to a school; leave the school empty."))
    return errors


def hash_password(password: str) -> str:
    return generate_password_hash(
        password,
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )


def create_user(
    username: str,
    password: str,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    school: str | None = None,
) -> PortalUser:
    """Create an active user with one portal role; refuse with every problem at once."""
    username, email = _clean(username), _clean(email).lower()
    first_name, last_name, role = _clean(first_name), _clean(last_name), _clean(role)
    errors = Collector()
    if not USERNAME.match(username):
        errors.add("username", _("Use 3 to 128 letters, digits or . _ @ + -."))
    elif db.session.scalar(
        select(PortalUser.id).where(func.lower(PortalUser.username) == username.lower())
    ):
        errors.add("username", _("The username “%(name)s” is taken.", name=username))
    if not EMAIL.match(email):
        errors.add("email", _("Enter a valid email address."))
    elif db.session.scalar(select(PortalUser.id).where(func.lower(PortalUser.email) == email)):
        errors.add("email", _("Another user has this email address."))
    if not first_name:
        errors.add("first_name", _("Enter a first name."))
    if not last_name:
        errors.add("last_name", _("Enter a last name."))
    for problem in password_problems(password or "", username):
        errors.add("password", problem)
    sm = current_app.appbuilder.sm
    role_row = sm.find_role(role) if role in PORTAL_ROLES else None
    if role_row is None:
        errors.add("role", _("Role must be one of: %(roles)s.", roles=", ".join(PORTAL_ROLES)))
    school_row = None
    if _clean(school):
        school_row = find_by_name(School, school)
        if school_row is None:
            errors.add("school", _("There is no school named “%(name)s”.", name=_clean(school)))
    if role_row is not None and not (_clean(school) and school_row is None):
        for field, messages in role_school_problems({role}, school_row).errors.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any(_("The user was not created."))

    user = PortalUser(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        active=True,
        password=hash_password(password),
        school_id=school_row.id if school_row else None,
    )
    user.roles = [role_row]
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, school_id=user.school_id, detail={"role": role})
    return user


# --- Choices for filters (cached briefly: they change a few times a year) -----------------

_choices: dict[int, tuple[float, dict]] = {}


def forget_choices() -> None:
    _choices.clear()


def choices() -> dict[str, list[tuple]]:
    """School years (newest first), districts and schools as ``(id, name, ...)`` tuples for filter
    menus, cached for ``PORTAL_CHOICES_TTL`` seconds per process (0 turns the cache off)."""
    import time

    ttl = current_app.config.get("PORTAL_CHOICES_TTL", 60)
    key = id(current_app._get_current_object())
    cached = _choices.get(key)
    if ttl and cached and cached[0] > time.monotonic():
        return cached[1]
    data = {
        "years": [tuple(r) for r in db.session.execute(
            select(SchoolYear.id, SchoolYear.name).order_by(SchoolYear.starts.desc()))],
        "districts": [tuple(r) for r in db.session.execute(
            select(District.id, District.name).order_by(District.name))],
        "schools": [tuple(r) for r in db.session.execute(
            select(School.id, School.name, School.district_id).order_by(School.name))],
    }
    if ttl:
        _choices[key] = (time.monotonic() + ttl, data)
    return data
