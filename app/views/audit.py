"""County Admin's read-only, filterable audit log."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.models import AuditEvent
from app.views.base import PortalModelView


class AuditView(PortalModelView):
    datamodel = SQLAInterface(AuditEvent)
    base_permissions = ["can_list", "can_show"]  # no add, edit or delete: events are permanent
    list_title = _l("Audit log")
    list_columns = ["at", "actor_username", "action", "object_type", "object_id", "school_id", "ip_address"]
    show_columns = list_columns + ["detail"]
    search_columns = ["at", "actor_username", "action", "object_type", "object_id", "school_id"]
    base_order = ("id", "desc")
    page_size = 50
    label_columns = {"at": _l("When"), "actor_username": _l("Who"), "action": _l("What"),
                     "object_type": _l("Record"), "object_id": _l("Record id"), "school_id": _l("School id"),
                     "ip_address": _l("IP address"), "detail": _l("Detail")}
