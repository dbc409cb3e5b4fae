"""The password policy (OWASP ASVS 2.1): 12 to 128 characters, no composition rules, not a
common password, not containing the username. Every place that sets a password asks here."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password: str, username: str | None = None) -> list[str]:
    """Every reason ``password`` is refused; an empty list means it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    if password.lower() in common_passwords():
        problems.append(_("This password is too common; choose another."))
    if username and username.strip() and username.strip().lower() in password.lower():
        problems.append(_("The password must not contain the username."))
    return problems


def fab_validator(password: str) -> None:
    """FAB's password forms (an admin's reset, a user's own reset) ask here: the same policy.
    The username is known when users reset their own password."""
    from flask import g, has_request_context, request
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    username = None
    if has_request_context() and "resetmypassword" in request.path.lower():
        username = getattr(getattr(g, "user", None), "username", None)
    problems = password_problems(password or "", username)
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))
