"""Small, pure validators of single values. Each returns an error message or ``None``."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l

ZIP = re.compile(r"^\d{5}(-?\d{4})?$")
STATE = re.compile(r"^[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9()+.\- xX]{7,30}$")


def zip_code(value):
    if value and not ZIP.match(str(value).strip()):
        return _l("Enter a 5-digit or 9-digit ZIP code.")
    return None


def state(value):
    if value and not STATE.match(str(value).strip().upper()):
        return _l("Enter the two-letter state code, such as MN.")
    return None


def email(value):
    if value and not EMAIL.match(str(value).strip()):
        return _l("Enter a valid email address.")
    return None


def phone(value):
    if value and not PHONE.match(str(value).strip()):
        return _l("Enter a phone number such as 651-555-0123.")
    return None


def one_of(allowed):
    def check(value):
        if value not in (None, "") and value not in allowed:
            return _l("Choose one of: %(values)s.", values=", ".join(allowed))
        return None

    return check


def non_negative(value):
    if value is not None and value < 0:
        return _l("Must not be negative.")
    return None


def at_most(limit):
    """A count or amount no form could need more of (a year has 366 days)."""
    def check(value):
        if value is not None and value > limit:
            return _l("Enter a number no larger than %(max)s.", max=limit)
        return None

    return check


def grade(value):
    if value is not None and not 0 <= value <= 12:
        return _l("Enter a grade from 0 (kindergarten) to 12.")
    return None


def iso_date_list(value):
    if value in (None, ""):
        return None
    if not isinstance(value, list):
        return _l("Enter a list of dates (YYYY-MM-DD).")
    for item in value:
        try:
            dt.date.fromisoformat(str(item))
        except ValueError:
            return _l("“%(value)s” is not a date (YYYY-MM-DD).", value=item)
    return None
