"""The base of every view of school-owned data: FAB's ModelView with the scope applied in
every place FAB's ``base_filters`` do not reach (see FAB_NOTES.md, "Row scoping")."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request
from flask_appbuilder import ModelView
from flask_appbuilder.baseviews import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import SCHOOL_OWNED
from app.security import current_scope
from app.services.errors import PortalError


class FilterInScope(BaseFilter):
    """Keeps rows whose school (``column_name``, dotted through a parent if need be) is in the
    request user's scope. County roles see every school; anyone else fails closed."""

    name = _l("In the user's scope")
    arg_name = "scope"

    def apply(self, query, value):
        query, field = get_field_setup_query(query, self.model, self.column_name)
        return query.filter(current_scope().clause(field))


def scope_filters(model) -> list:
    """``base_filters`` that scope ``model`` (a key of ``SCHOOL_OWNED``)."""
    return [[SCHOOL_OWNED[model], FilterInScope, lambda: None]]


def capped_page_size(page_size: int | None) -> int:
    cap = current_app.config["PORTAL_MAX_PAGE_SIZE"]
    if page_size is None or page_size < 1 or page_size > cap:
        return min(cap, current_app.config.get("FAB_API_MAX_PAGE_SIZE", cap))
    return page_size


class PortalModelView(ModelView):
    """ModelView with the portal's safe defaults (for every model, scoped or not)."""

    page_size = 25

    def _get_list_widget(self, **kwargs):
        kwargs["page_size"] = capped_page_size(kwargs.get("page_size") or self.page_size)
        return super()._get_list_widget(**kwargs)

    @expose("/download/<string:filename>")
    def download(self, filename):
        # FAB serves any file of UPLOAD_FOLDER here after a permission check only; the
        # portal keeps files in the database and serves them through its own checked routes.
        abort(404)

    def _run_write_hook(self, hook, item):
        try:
            hook(item)
        except PortalError:
            # FAB has already copied the form into ``item``: drop those changes.
            db.session.rollback()
            raise


class ScopedModelView(PortalModelView):
    """A view of school-owned rows. Subclasses set ``datamodel``; the scope comes with it."""

    scoped_model = None  # the key of SCHOOL_OWNED; defaults to the datamodel's class

    def __init__(self, **kwargs):
        model = self.scoped_model or self.datamodel.obj
        self.base_filters = list(self.base_filters or []) + scope_filters(model)
        super().__init__(**kwargs)

    def _in_scope(self, pk):
        """The row ``pk`` if the user may touch it; otherwise 404 (never a hint it exists)."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    # FAB's action routes look rows up without base_filters: re-apply the scope.
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            abort(404)
        self._in_scope(self._deserialize_pk_if_composite(pk))
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        for pk in request.form.getlist("rowid"):
            self._in_scope(self._deserialize_pk_if_composite(pk))
        return super().action_post()

    def pre_add(self, item):
        self._run_write_hook(self.before_add, item)

    def pre_update(self, item):
        self._run_write_hook(self.before_update, item)

    def pre_delete(self, item):
        self._run_write_hook(self.before_delete, item)

    # Subclasses put their service calls here; a PortalError refuses the write.
    def before_add(self, item):
        pass

    def before_update(self, item):
        pass

    def before_delete(self, item):
        pass


def refuse_html(error: PortalError):
    """Flash a refused write and go back (for HTML routes outside FAB's CRUD)."""
    flash(error.message, "danger")
    return redirect(request.referrer or "/")
