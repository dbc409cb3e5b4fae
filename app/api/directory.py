"""Read-only APIs: the schools (every signed-in role) and the audit log (County Admin)."""
from __future__ import annotations

from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ErrorShapeMixin
from app.models import AuditEvent, School


class SchoolApi(ErrorShapeMixin, ModelRestApi):
    resource_name = "school"
    datamodel = SQLAInterface(School)
    include_route_methods = {"get", "get_list"}
    list_columns = show_columns = ["id", "name", "kind", "active", "district.id", "district.name"]
    order_columns = ["name"]
    search_columns = ["name", "kind", "active", "district"]
    base_order = ("name", "asc")


class AuditApi(ErrorShapeMixin, ModelRestApi):
    """The audit log, read-only: no route to create, change or delete an event exists."""

    resource_name = "audit"
    datamodel = SQLAInterface(AuditEvent)
    include_route_methods = {"get", "get_list"}
    list_columns = show_columns = ["id", "at", "actor_id", "actor_username", "action", "object_type",
                                   "object_id", "school_id", "ip_address", "detail"]
    order_columns = ["at", "id"]
    search_columns = ["at", "actor_username", "action", "object_type", "object_id", "school_id"]
    base_order = ("id", "desc")
