"""Engine-level settings that every connection needs."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

#: The largest id a row can have: the ids are PostgreSQL ``integer`` columns.
MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """``value`` (an int or text from a URL, form or body) as a row id, or ``None`` when it is not
    a whole number from 0 to ``MAX_ID`` -- then it can name no row, and no query should be tried."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None


def get_row(model, value):
    """The ``model`` row whose id is ``value`` (an int or text), or ``None`` -- also when
    ``value`` is no id at all, without asking the database."""
    from app.extensions import db

    pk = as_id(value)
    return None if pk is None else db.session.get(model, pk)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route, bounded by ``MAX_ID``: a larger number (``/referral/10**28``)
    would make the query itself fail, so it matches no route and answers 404 like any unknown id."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # SQLite ignores ON DELETE CASCADE and every foreign key unless told so per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def install_engine_hooks(engine: Engine) -> None:
    """Turn on foreign keys for every SQLite connection of ``engine``."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_on_connect):
        event.listen(engine, "connect", _sqlite_on_connect)
        # Connections opened before the hook (FAB touches the engine early) get it too.
        engine.dispose()


def is_postgres(engine_or_session) -> bool:
    bind = getattr(engine_or_session, "bind", None) or engine_or_session
    return bind.dialect.name == "postgresql"
