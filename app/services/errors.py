"""Typed errors that services raise; ``app.errors`` maps them to HTTP in one place."""
from __future__ import annotations


class PortalError(Exception):
    """A refusal with a one-sentence ``message`` and per-field ``errors``."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.errors = {k: [str(m) for m in v] for k, v in (errors or {}).items()}

    def to_dict(self) -> dict:
        return {"message": self.message, "errors": self.errors}


class ValidationFailed(PortalError):
    status = 422


class NotFound(PortalError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""

    status = 404


class Forbidden(PortalError):
    status = 403


class Conflict(PortalError):
    status = 409


class Collector:
    """Gathers field errors so that every problem is reported at once."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, message: str) -> None:
        if self.errors:
            raise ValidationFailed(message, self.errors)
