"""The one clock of the portal. Every date rule asks ``today()``; every timestamp ``now()``.

``PORTAL_TODAY`` (ISO date) fixes the date for demos and tests; the time of day stays real so
that ordering by timestamp keeps working.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone

from flask import current_app, has_app_context


def _fixed_today() -> date | None:
    value = current_app.config.get("PORTAL_TODAY") if has_app_context() else None
    value = value or os.environ.get("PORTAL_TODAY")
    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def today() -> date:
    """The county's current date (``PORTAL_TODAY`` when set)."""
    return _fixed_today() or datetime.now(timezone.utc).date()


def now() -> datetime:
    """The current moment as a naive UTC datetime, on ``today()``'s date."""
    real = datetime.now(timezone.utc).replace(tzinfo=None)
    fixed = _fixed_today()
    if fixed is None:
        return real
    return datetime.combine(fixed, real.time())
