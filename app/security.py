"""Security: the portal's roles, the user -> school link, and the scope of a user.

The scope (``scope_for``) is THE rule "a school user touches only their school's rows". Views,
APIs, services, downloads and exports all ask it; nothing else decides it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, g, has_request_context, jsonify
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import bindparam, event, false, select, true
from sqlalchemy.orm import Session, with_loader_criteria

from app.models.user import PortalUser

COUNTY_ADMIN = "County Admin"
COUNTY_STAFF = "County Staff"
SCHOOL_STAFF = "School Staff"
PORTAL_ROLES = (COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF)
COUNTY_ROLES = frozenset({COUNTY_ADMIN, COUNTY_STAFF})


@dataclass(frozen=True)
class Scope:
    """Which schools' rows a user may touch: every school, or the ids in ``school_ids``."""

    all_schools: bool
    school_ids: frozenset[int] = frozenset()

    def allows(self, school_id: int | None) -> bool:
        return self.all_schools or (school_id is not None and school_id in self.school_ids)

    def clause(self, school_id_column):
        """A SQL condition on ``school_id_column`` that keeps only rows in scope."""
        if self.all_schools:
            return true()
        if not self.school_ids:
            return false()
        return school_id_column.in_(sorted(self.school_ids))

    # The same rule for statements built once and run for many scopes (the lists): the scope's
    # kind picks the condition, and the school ids are bound when the statement runs.

    def kind(self) -> tuple[str, dict]:
        """This scope's kind (``all``, ``none``, ``school``, ``schools``) and the parameters its
        ``bound_clause`` binds."""
        if self.all_schools:
            return "all", {}
        if not self.school_ids:
            return "none", {}
        if len(self.school_ids) == 1:
            return "school", {"scope_school": next(iter(self.school_ids))}
        return "schools", {"scope_schools": sorted(self.school_ids)}

    @staticmethod
    def bound_clause(kind: str, school_id_column):
        """``clause`` for every scope of ``kind``, with the ids left as bound parameters."""
        if kind == "all":
            return true()
        if kind == "none":
            return false()
        if kind == "school":
            return school_id_column == bindparam("scope_school")
        return school_id_column.in_(bindparam("scope_schools", expanding=True))


NO_SCHOOLS = Scope(all_schools=False)
ALL_SCHOOLS = Scope(all_schools=True)


def role_names(user) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(role.name for role in (user.roles or ()))


def scope_for(user) -> Scope:
    """The scope of ``user``. Fails closed: county-wide sight comes from a county role, never
    from a missing school; an inactive, anonymous or school-less user sees nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return NO_SCHOOLS
    names = role_names(user)
    if names & COUNTY_ROLES:
        return ALL_SCHOOLS
    school_id = getattr(user, "school_id", None)
    if SCHOOL_STAFF in names and school_id is not None:
        return Scope(all_schools=False, school_ids=frozenset({school_id}))
    return NO_SCHOOLS


def request_user():
    """The user of this request, browser session or JWT alike (``None`` when anonymous).

    ``flask_login.current_user`` is anonymous on a JWT request; FAB's ``sm.current_user``
    knows both. Before a JWT is verified it raises: that counts as anonymous.
    """
    if not has_request_context():
        return None
    try:
        user = current_app.appbuilder.sm.current_user
    except RuntimeError:
        return None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def current_scope() -> Scope:
    """The scope of the request's user, computed once per user per request."""
    user = request_user()
    key = getattr(user, "id", None)
    cached = g.get("_portal_scope")
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = scope_for(user)
    g._portal_scope = (key, scope)
    return scope


def is_county_user(user=None) -> bool:
    user = request_user() if user is None else user
    return bool(role_names(user) & COUNTY_ROLES)


def is_school_user(user=None) -> bool:
    user = request_user() if user is None else user
    return SCHOOL_STAFF in role_names(user) and not is_county_user(user)


# --- Defence in depth -------------------------------------------------------------------
# Every ORM read of school-owned rows during a request is filtered by the request's scope,
# in addition to (never instead of) the view and service rules.


def _school_criteria(model, scope: Scope):
    from app.models import Referral

    if model is Referral:
        return scope.clause(Referral.school_id)
    return model.referral_id.in_(select(Referral.id).where(scope.clause(Referral.school_id)))


def _scope_guard(state) -> None:
    if not state.is_select or not has_request_context() or g.get("_portal_scope_busy"):
        return
    from app.models import SCHOOL_OWNED

    if not any(mapper.class_ in SCHOOL_OWNED for mapper in state.all_mappers):
        return  # nothing school-owned is read (and the user's own loading stays one query)
    g._portal_scope_busy = True  # loading the user and roles below must not recurse
    try:
        scope = current_scope()
    finally:
        g._portal_scope_busy = False
    if scope.all_schools:
        return
    state.statement = state.statement.options(*_guard_options(scope))


@lru_cache(maxsize=256)
def _guard_options(scope: Scope) -> tuple:
    """The loader criteria of ``scope``, built once per distinct scope."""
    from app.models import SCHOOL_OWNED

    return tuple(
        with_loader_criteria(model, _school_criteria(model, scope), include_aliases=True)
        for model in SCHOOL_OWNED
    )


def install_scope_guard() -> None:
    if not event.contains(Session, "do_orm_execute", _scope_guard):
        event.listen(Session, "do_orm_execute", _scope_guard)


_PERMISSION_CACHE: dict = {}


@lru_cache(maxsize=1)
def _user_query():
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload, lazyload

    return (select(PortalUser).where(PortalUser.id == bindparam("pk"))
            .options(joinedload(PortalUser.roles), lazyload(PortalUser.school)))


class PortalSecurityManager(SecurityManager):
    """FAB's security manager with the portal's user model and views."""

    user_model = PortalUser
    userstatschartview = None  # loads Google Charts from the internet

    def create_jwt_manager(self, app):
        """FAB's JWT manager, answering token problems in the contract's error shape."""
        jwt_manager = super().create_jwt_manager(app)

        def unauthorized(reason, *args):
            return jsonify({"message": "Sign in first: the request has no valid token.",
                            "errors": {"token": [str(reason)]}}), 401

        jwt_manager.unauthorized_loader(unauthorized)
        jwt_manager.invalid_token_loader(unauthorized)
        jwt_manager.expired_token_loader(lambda header, payload: unauthorized("The token has expired."))
        jwt_manager.revoked_token_loader(lambda header, payload: unauthorized("The token was revoked."))
        jwt_manager.user_lookup_error_loader(lambda header, payload: unauthorized("The user is unknown."))
        jwt_manager.needs_fresh_token_loader(lambda header, payload: unauthorized("A fresh token is needed."))
        from app import sessions

        # Tokens carry the user's session version: logout, deactivation, a move to another
        # school or a new password ends them at once (the user lookup answers 401).
        jwt_manager.additional_claims_loader(sessions.token_claims)
        jwt_manager.user_lookup_loader(lambda header, payload: sessions.token_user(self, payload))
        return jwt_manager

    def auth_user_db(self, username, password):
        """FAB's check (same message, and a fake hash check for unknown users so both take
        about the same time), plus an audit event of every success and failure."""
        from app.extensions import db
        from app.services import audit

        user = super().auth_user_db(username, password)
        if user is not None:
            audit.record("login", "user", user.id, school_id=getattr(user, "school_id", None), actor=user)
        else:
            audit.record("login_failed", "user", None, detail={"username": (username or "")[:128]})
        db.session.commit()
        return user

    # --- Fewer queries per request -------------------------------------------------------
    # FAB asks the database once per permission check (about ten per page, menus included).
    # The portal loads the user with roles and groups in one query, and all of the user's
    # permissions in one more, then answers every check of the request from memory.

    def get_user_by_id(self, pk):
        """The request's user, with roles, in one query built once (the school, which few
        requests need, is loaded when it is used)."""
        return self.session.scalars(_user_query(), {"pk": pk}).unique().first()

    def get_user_roles(self, user):
        """A user's roles. The portal gives roles to users directly; FAB's groups are not used
        (a group given to a user grants nothing here), so they are never consulted."""
        if not user.is_authenticated:
            return [self.get_public_role()]
        return list(user.roles)

    def _permissions_of(self, user) -> frozenset[tuple[str, str]]:
        from flask_appbuilder.security.sqla.models import (
            Permission,
            PermissionView,
            Role,
            ViewMenu,
            assoc_permissionview_role,
        )

        if user is None:  # anonymous: the public role, found by name (no query for the role)
            key = ("_portal_permissions", "public")
            role_filter = Role.name == self.auth_role_public
        else:
            role_ids = sorted(role.id for role in self.get_user_roles(user) if role is not None)
            key = ("_portal_permissions", tuple(role_ids))
            role_filter = Role.id.in_(role_ids)
        cached = g.get("_portal_permissions") if has_request_context() else None
        if cached is not None and cached[0] == key:
            return cached[1]
        # Permissions change only when `flask db upgrade` syncs the roles: keep them per process
        # for PORTAL_PERMISSIONS_TTL seconds (0: ask the database on every request).
        ttl = current_app.config.get("PORTAL_PERMISSIONS_TTL", 0)
        shared = _PERMISSION_CACHE.get(key)
        if ttl and shared is not None and shared[0] > time.monotonic():
            if has_request_context():
                g._portal_permissions = (key, shared[1])
            return shared[1]
        rows = self.session.execute(
            select(Permission.name, ViewMenu.name)
            .select_from(PermissionView)
            .join(Permission, Permission.id == PermissionView.permission_id)
            .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
            .join(assoc_permissionview_role, assoc_permissionview_role.c.permission_view_id == PermissionView.id)
            .join(Role, Role.id == assoc_permissionview_role.c.role_id)
            .where(role_filter)
        ).all()
        permissions = frozenset((permission, view) for permission, view in rows)
        if has_request_context():
            g._portal_permissions = (key, permissions)
        if ttl:
            _PERMISSION_CACHE[key] = (time.monotonic() + ttl, permissions)
        return permissions

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        return (permission_name, view_name) in self._permissions_of(user)

    def _get_user_permission_view_menus(self, user, permission_name: str, view_menus_name):
        permissions = self._permissions_of(user)
        return {name for name in view_menus_name if (permission_name, name) in permissions}

    def is_item_public(self, permission_name, view_name):
        return (permission_name, view_name) in self._permissions_of(None)

    def __init__(self, appbuilder):
        from app.views.users import PortalUserDBModelView

        self.userdbmodelview = PortalUserDBModelView
        super().__init__(appbuilder)
