"""Shared pieces of the portal's FAB views and APIs: the scope as a FAB filter, and safe
ModelView defaults. School-owned rows are shown by the referral pages (``referral_page``) and
the APIs, which apply the scope themselves; FAB's generic CRUD views only serve the county
directory, which is not school-owned."""
from __future__ import annotations

from flask import abort, current_app
from flask_appbuilder import ModelView
from flask_appbuilder.baseviews import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query
from flask_babel import lazy_gettext as _l

from app.models import SCHOOL_OWNED
from app.security import current_scope


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

