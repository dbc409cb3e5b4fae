"""The portal's roles and their permissions, declared in code.

``sync_roles`` makes the database match this declaration exactly; ``flask db upgrade`` runs it
(see migrations/env.py), as does ``flask portal sync-roles``. County Admin is FAB's admin role
(``AUTH_ROLE_ADMIN``) and holds every permission; Public holds none.
"""
from __future__ import annotations

import logging

from flask import current_app

from app.security import COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF

log = logging.getLogger(__name__)

READ = ("can_list", "can_show")
WRITE = ("can_add", "can_edit", "can_delete")
API_READ = ("can_get", "can_info")
API_WRITE = ("can_post", "can_put", "can_delete")

# What every signed-in user may do with their own account.
OWN_ACCOUNT = [
    ("can_userinfo", "PortalUserDBModelView"),
    ("resetmypassword", "PortalUserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("menu_access", "Referrals"),
]


def _grant(view: str, *permissions: str) -> list[tuple[str, str]]:
    return [(permission, view) for permission in permissions]


ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    COUNTY_STAFF: [
        *OWN_ACCOUNT,
        *_grant("ReferralPage", *READ, "can_download", "can_transition", "can_message"),
        *_grant("ReferralApi", *API_READ, "can_transition", "can_message"),
        *_grant("SchoolApi", "can_get"),
        *_grant("OpenApi", "can_get"),
        *_grant("CaseworkerQueueView", "can_queue"),
        ("menu_access", "Queue"),
        *_grant("Reports", "can_read"),
        ("menu_access", "Dashboard"),
        *_grant("ReportApi", "can_summary"),
    ],
    SCHOOL_STAFF: [
        *OWN_ACCOUNT,
        *_grant("ReferralPage", *READ, *WRITE, "can_submit", "can_download", "can_transition", "can_message"),
        *_grant("ReferralApi", *API_READ, *API_WRITE, "can_submit", "can_transition", "can_message"),
        *_grant("SchoolSummaryView", "can_summary"),
        ("menu_access", "My school this year"),
        *_grant("SchoolApi", "can_get"),
        *_grant("OpenApi", "can_get"),
    ],
}


class RoleDeclarationError(RuntimeError):
    """A declared permission names a view or permission the app does not have."""


def sync_roles(appbuilder=None) -> dict[str, int]:
    """Create every permission of the registered views, then give each role exactly its
    declared permissions. Idempotent. Returns the number of permissions per role."""
    appbuilder = appbuilder or current_app.appbuilder
    sm = appbuilder.sm
    for name in (COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF, sm.auth_role_public):
        if sm.find_role(name) is None:
            sm.add_role(name)
    appbuilder.add_permissions(update_perms=True)
    sm.security_cleanup(appbuilder.baseviews, appbuilder.menu)

    every = sm.session.query(sm.permissionview_model).all()
    counts = {}
    for role_name in (COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF, sm.auth_role_public):
        role = sm.find_role(role_name)
        if role_name == COUNTY_ADMIN:
            wanted = every
        else:
            wanted = []
            for permission, view in ROLE_PERMISSIONS.get(role_name, []):
                pv = sm.find_permission_view_menu(permission, view)
                if pv is None:
                    raise RoleDeclarationError(f"{role_name}: no permission {permission} on {view}")
                wanted.append(pv)
        role.permissions = list({pv.id: pv for pv in wanted}.values())
        counts[role_name] = len(role.permissions)
    sm.session.commit()
    log.info("Roles synced: %s", counts)
    return counts
