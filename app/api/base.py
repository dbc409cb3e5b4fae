"""The base of every portal API: the contract's error shape, the scope, and service hooks."""
from __future__ import annotations

import logging

import jsonschema
import prison
from flask import Response, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from app.database import as_id
from app.extensions import db
from app.security import request_user
from app.services.errors import PortalError, ValidationFailed
from app.views.base import scope_filters

log = logging.getLogger(__name__)


class _CachedJsonSchema:
    """Stands in for the ``jsonschema`` module inside FAB's API package. FAB validates every
    ``?q=`` (rison) argument with ``jsonschema.validate()``, which re-checks the schema itself
    against the meta-schema on every call: about half the time of a list request. The same
    checks run here, with each schema's validator built (and checked) once."""

    def __init__(self):
        self._validators: dict[int, object] = {}

    def validate(self, instance, schema):
        validator = self._validators.get(id(schema))
        if validator is None or validator.schema is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[id(schema)] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(jsonschema, name)


class _SafeRison:
    """Stands in for the ``prison`` module inside FAB's API package. FAB answers 400 to a ``?q=``
    that ``prison.loads`` refuses with a ParserException, but prison raises other errors on some
    input (``?q=3.5e+16``: a ValueError from its number parser), which reached the user as a 500.
    Every refusal is a ParserException here, so every one gets FAB's 400."""

    def loads(self, value, *args, **kwargs):
        try:
            return prison.loads(value, *args, **kwargs)
        except prison.decoder.ParserException:
            raise
        except (ValueError, TypeError, IndexError, KeyError, RecursionError) as error:
            raise prison.decoder.ParserException(str(error)) from error

    def __getattr__(self, name):
        return getattr(prison, name)


def install_fast_rison_validation() -> None:
    """FAB's ``?q=`` handling, with each schema checked once and every parse error a 400."""
    import flask_appbuilder.api as fab_api

    if not isinstance(fab_api.jsonschema, _CachedJsonSchema):
        fab_api.jsonschema = _CachedJsonSchema()
    if not isinstance(fab_api.prison, _SafeRison):
        fab_api.prison = _SafeRison()


class CachingFilterConverter(SQLAFilterConverter):
    """FAB builds a fresh set of filter objects for every column of the model, several times
    per request (a Referral has 50 columns); the filters are stateless, so build them once."""

    _cache: dict = {}

    def convert(self, col_name):
        key = (id(self.datamodel), col_name)
        if key not in self._cache:
            self._cache[key] = super().convert(col_name)
        return self._cache[key]


class CountingInterface(SQLAInterface):
    """FAB's interface, but the list's COUNT joins only the tables its filters need: stock FAB
    joins every dotted list column too (1.4 s per request at 1M rows on SQLite)."""

    filter_converter_class = CachingFilterConverter

    def query_count(self, query, filters=None, select_columns=None) -> int:
        return self._apply_inner_all(query, filters, select_columns=None, aliases_mapping={}).count()


def error_body(message, errors=None) -> dict:
    """The contract's error shape: one sentence and per-field messages."""
    if isinstance(message, dict):  # marshmallow's field -> messages
        errors, message = message, _("Some fields are not valid.")
    return {"message": str(message), "errors": errors or {}}


class _BadArgument(BadRequest):
    """A 400 whose text is only its sentence (FAB's ``safe`` answers ``str(error)``)."""

    def __str__(self):
        return str(self.description)


class ErrorShapeMixin:
    """FAB's ``response_4xx`` helpers, answering in the contract's error shape."""

    def response_400(self, message=None):
        return self.response(400, **error_body(message or _("The request is not valid.")))

    def response_401(self):
        return self.response(401, **error_body(_("Sign in first.")))

    def response_403(self):
        return self.response(403, **error_body(_("You may not do this.")))

    def response_404(self):
        return self.response(404, **error_body(_("Not found.")))

    def response_422(self, message=None):
        if isinstance(message, str) and message.startswith("Database exception"):
            # FAB puts the database's own error text here: never shown (it names tables and
            # constraints); the log has it.
            log.warning("Refused by the database: %s", message)
            message = _("The change could not be saved: it conflicts with what is stored.")
        return self.response(422, **error_body(message or _("The request could not be processed.")))

    def response_500(self, message=None):
        # Never a stack trace or an internal message to a user.
        return self.response(500, **error_body(_("Something went wrong on our side.")))

    def _sanitize_page_args(self, page, page_size):
        """FAB's paging, refusing a page number no list has: a negative one made PostgreSQL
        refuse the OFFSET (a 500), a huge one overflowed it."""
        if page is not None and (not isinstance(page, int) or as_id(page) is None):
            raise _BadArgument(_("The page number must be a whole number from 0."))
        return super()._sanitize_page_args(page, page_size)

    def response_error(self, error: PortalError):
        db.session.rollback()
        return self.response(error.status, **error.to_dict())

    def run_service(self, work, status: int = 200):
        """Run ``work()`` (service calls returning the response body, or a Response), commit, and
        answer; a refusal rolls back and answers with its status and the contract's shape."""
        try:
            body = work()
            db.session.commit()
        except PortalError as error:
            return self.response_error(error)
        if isinstance(body, Response):
            return body
        return self.response(status, **body)

    @staticmethod
    def json_body(schema=None) -> dict:
        """The request's JSON object, loaded through ``schema`` when given; ``ValidationFailed``
        (422 with the field errors) otherwise."""
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ValidationFailed(_("Send a JSON object."), {"body": [_("Send a JSON object.")]})
        if schema is None:
            return data
        from marshmallow import ValidationError

        try:
            return schema.load(data)
        except ValidationError as error:
            raise ValidationFailed(_("Some fields are not valid."),
                                   {k: v if isinstance(v, list) else [str(v)] for k, v in error.messages.items()})


class PortalModelRestApi(ErrorShapeMixin, ModelRestApi):
    """A ModelRestApi of school-owned rows: scoped reads, service-checked writes."""

    scoped_model = None

    def __init__(self):
        model = self.scoped_model or self.datamodel.obj
        self.base_filters = list(self.base_filters or []) + scope_filters(model)
        super().__init__()

    @property
    def user(self):
        return request_user()

    def post_headless(self):
        try:
            return super().post_headless()
        except PortalError as error:
            return self.response_error(error)

    # FAB routes PUT and DELETE as ``/<pk>`` (any text): what is not an id is a 404 before a
    # query could fail on it.

    def put_headless(self, pk):
        if as_id(pk) is None:
            return self.response_404()
        try:
            return super().put_headless(pk)
        except PortalError as error:
            return self.response_error(error)

    def delete_headless(self, pk):
        if as_id(pk) is None:
            return self.response_404()
        try:
            return super().delete_headless(pk)
        except PortalError as error:
            return self.response_error(error)

    def pre_add(self, item):
        self.before_add(item)

    def pre_update(self, item):
        self.before_update(item)

    def pre_delete(self, item):
        self.before_delete(item)

    def post_add(self, item):
        self.after_add(item)
        db.session.commit()

    def before_add(self, item):
        pass

    def before_update(self, item):
        pass

    def before_delete(self, item):
        pass

    def after_add(self, item):
        pass
