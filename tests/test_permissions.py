"""The scope as a matrix: role x view x own school / other school.

Later issues add rows to the tables below, not new machinery. ``own`` is the North clerk's
school; ``other`` is South's. County roles see both; a school user sees only their own, and
another school's row is 404 everywhere (never 200, never its data).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import count_rows
from app.models import FamilyMember, Referral
from tests.conftest import api_token, login

ADMIN, STAFF, CLERK = "admin", "caseworker", "clerk"

# (url template, keys in `world` of the rows for own / other school)
READS = [
    ("/referrals/{0}", ("own",), ("other",)),
    ("/referrals/{0}?tab=attachments", ("own",), ("other",)),
    ("/referrals/{0}/attachments/{1}", ("own", "own_attachment"), ("other", "other_attachment")),
    ("/api/v1/referral/{0}", ("own",), ("other",)),
]
# (user, which row, expected status)
READ_EXPECTATIONS = [
    (ADMIN, 0, 200), (ADMIN, 1, 200),
    (STAFF, 0, 200), (STAFF, 1, 200),
    (CLERK, 0, 200), (CLERK, 1, 404),
]


def _get(client, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def _session(app, username):
    """A client signed in through the login form, and a JWT from the API login."""
    client = app.test_client()
    login(client, username)
    return client, api_token(app.test_client(), username)


@pytest.mark.parametrize("url,own_keys,other_keys", READS)
@pytest.mark.parametrize("username,which,expected", READ_EXPECTATIONS)
def test_read_matrix(app, world, url, own_keys, other_keys, username, which, expected):
    client, token = _session(app, username)
    ids = [getattr(world, key) for key in (own_keys, other_keys)[which]]
    response = _get(client, url.format(*ids), token if url.startswith("/api/") else None)
    assert response.status_code == expected
    if expected == 404:
        assert b"Southgate" not in response.data


# County Admin alone manages the directory and users.
ADMIN_ONLY = ["/districtview/list/", "/schoolview/list/", "/schoolyearview/list/", "/users/list/",
              "/schoolview/add", "/users/add", "/purge-runs/"]


@pytest.mark.parametrize("url", ADMIN_ONLY)
@pytest.mark.parametrize("username,expected", [(ADMIN, 200), (STAFF, 403), (CLERK, 403)])
def test_admin_only_views(app, world, url, username, expected):
    client, _ = _session(app, username)
    assert client.get(url).status_code == expected


def test_lists_show_only_the_scope(app, world):
    clerk, token = _session(app, CLERK)
    page = clerk.get("/referrals/").data
    assert b"Northfield" in page and b"Southgate" not in page
    assert world.south_name.encode() not in page  # not even in a filter's choices
    api = _get(clerk, "/api/v1/referral/", token).json
    assert api["count"] == 1 and api["result"][0]["school"]["name"] == world.north_name
    staff, staff_token = _session(app, STAFF)
    assert b"Southgate" in staff.get("/referrals/").data
    assert _get(staff, "/api/v1/referral/", staff_token).json["count"] == 2


def test_filter_arguments_cannot_reach_another_school(app, world):
    clerk, token = _session(app, CLERK)
    assert b"Southgate" not in clerk.get(f"/referrals/?school={world.south}").data
    assert b"Southgate" not in clerk.get(f"/referrals/?district=1&school={world.south}&status=draft").data
    rison = "(filters:!((col:student_last_name,opr:eq,value:Southgate)))"
    assert _get(clerk, f"/api/v1/referral/?q={rison}", token).json["count"] == 0


def test_an_attachment_is_reached_only_through_its_own_referral(app, world):
    clerk, _ = _session(app, CLERK)
    assert clerk.get(f"/referrals/{world.own}/attachments/{world.other_attachment}").status_code == 404


def test_jwt_request_is_scoped_not_anonymous(app, world):
    """On a JWT request flask_login's user is anonymous; the scope must read the JWT user."""
    client = app.test_client()
    token = api_token(client, CLERK)
    listing = _get(client, "/api/v1/referral/", token).json
    assert [row["id"] for row in listing["result"]] == [world.own]


def test_school_user_without_school_sees_nothing(app, world):
    with app.app_context():
        from app.models import PortalUser

        user = db.session.scalar(select(PortalUser).where(PortalUser.username == CLERK))
        user.school_id = None
        db.session.commit()
    client, token = _session(app, CLERK)
    assert _get(client, "/api/v1/referral/", token).json["count"] == 0
    assert client.get(f"/referrals/{world.own}").status_code == 404
    assert b"Northfield" not in client.get("/referrals/").data


def test_anonymous_gets_nothing(app, world):
    client = app.test_client()
    assert client.get("/referrals/").status_code in (302, 401, 403)
    assert client.get(f"/referrals/{world.own}/attachments/{world.own_attachment}").status_code in (302, 401, 403)
    response = client.get("/api/v1/referral/")
    assert response.status_code == 401
    assert set(response.json) == {"message", "errors"}


# --- Writes ------------------------------------------------------------------------------

# (url template, form data) of every write on the referral page; {0} is a referral id,
# {1} a family member id of that referral, {2} an attachment id of that referral.
WRITES = [
    ("/referrals/{0}/save", {"student_first_name": "Changed", "student_last_name": "Changed"}),
    ("/referrals/{0}/family", {"new-name": "Intruder", "new-phone_cell": "651-555-0199"}),
    ("/referrals/{0}/family/{1}", {"m{1}-name": "Changed", "m{1}-phone_cell": "651-555-0199"}),
    ("/referrals/{0}/family/{1}/delete", {}),
    ("/referrals/{0}/interventions", {"check_other": "y", "note_other": "x"}),
    ("/referrals/{0}/attachments/{2}/delete", {}),
    ("/referrals/{0}/submit", {}),
    ("/referrals/{0}/delete", {}),
]


def _write(client, url, data, ids):
    return client.post(url.format(*ids), data={k.format(*ids): v for k, v in data.items()})


@pytest.mark.parametrize("url,data", WRITES)
def test_writes_to_another_school_are_404_and_change_nothing(app, world, url, data):
    clerk, _ = _session(app, CLERK)
    response = _write(clerk, url, data, (world.other, world.other_family, world.other_attachment))
    assert response.status_code == 404
    assert b"Southgate" not in response.data
    assert count_rows(app, Referral, id=world.other, student_first_name="Sam") == 1
    assert count_rows(app, FamilyMember, id=world.other_family, name="Parent of Sam") == 1


@pytest.mark.parametrize("url,data", WRITES)
@pytest.mark.parametrize("username", [STAFF])
def test_county_staff_cannot_write_on_the_referral_page(app, world, url, data, username):
    client, _ = _session(app, username)
    response = _write(client, url, data, (world.own, world.own_family, world.own_attachment))
    assert response.status_code == 403
    assert count_rows(app, Referral, id=world.own, student_first_name="Nora") == 1


def test_api_writes_to_another_school_are_404(app, world):
    clerk, token = _session(app, CLERK)
    headers = {"Authorization": f"Bearer {token}"}
    assert clerk.put(f"/api/v1/referral/{world.other}", json={"student_first_name": "X"}, headers=headers).status_code == 404
    assert clerk.delete(f"/api/v1/referral/{world.other}", headers=headers).status_code == 404
    assert clerk.post(f"/api/v1/referral/{world.other}/submit", headers=headers).status_code == 404
    assert count_rows(app, Referral, id=world.other, student_first_name="Sam") == 1


def test_api_body_cannot_choose_school_or_status(app, world):
    clerk, token = _session(app, CLERK)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"student_first_name": "Ana", "student_last_name": "Lopez", "school_id": world.south}
    refused = clerk.post("/api/v1/referral/", json=body, headers=headers)
    assert refused.status_code == 422 and "school_id" in refused.json["errors"]
    created = clerk.post("/api/v1/referral/", json={"student_first_name": "Ana", "student_last_name": "Lopez"},
                         headers=headers)
    assert created.status_code == 201
    assert count_rows(app, Referral, id=created.json["id"], school_id=world.north, status="draft") == 1
    moved = clerk.put(f"/api/v1/referral/{world.own}", json={"status": "accepted"}, headers=headers)
    assert moved.status_code == 422
    assert count_rows(app, Referral, id=world.own, status="draft") == 1


def test_html_form_cannot_choose_school_or_status(app, world):
    clerk, _ = _session(app, CLERK)
    clerk.post(f"/referrals/{world.own}/save",
               data={"student_first_name": "Nora", "student_last_name": "Northfield",
                     "school": world.south, "school_id": world.south, "status": "accepted"})
    assert count_rows(app, Referral, id=world.own, school_id=world.north, status="draft") == 1


@pytest.mark.parametrize("username", [STAFF, ADMIN])
def test_county_roles_cannot_create_referrals(app, world, username):
    client, token = _session(app, username)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/referral/", json={"student_first_name": "A", "student_last_name": "B"},
                           headers=headers)
    assert response.status_code == 403
    page = client.post("/referrals/new", data={"student_first_name": "A", "student_last_name": "B"})
    assert page.status_code == 403
    assert count_rows(app, Referral) == 2


def test_fab_download_route_is_closed(app, world):
    client, _ = _session(app, ADMIN)
    assert client.get("/districtview/download/anything.pdf").status_code == 404


def test_page_size_is_capped_and_checked(app, world):
    client, _ = _session(app, ADMIN)
    assert client.get("/districtview/list/?psize_DistrictView=100000").status_code == 200
    assert client.get("/districtview/list/?psize_DistrictView=abc").status_code == 400


@pytest.mark.parametrize("argument", ["page_DistrictView=-2", f"page_DistrictView={10**30}", "psize_DistrictView=-1",
                                      "page_AuditView=-5", f"page_AuditView={2**31}"])
def test_page_arguments_no_list_has_are_a_400(app, world, argument):
    client, _ = _session(app, ADMIN)
    view = "auditview" if "Audit" in argument else "districtview"
    assert client.get(f"/{view}/list/?{argument}").status_code == 400
    assert client.get(f"/{view}/list/?{argument.split('=')[0]}=1").status_code == 200


def test_download_headers_and_audit(app, world):
    clerk, _ = _session(app, CLERK)
    response = clerk.get(f"/referrals/{world.own}/attachments/{world.own_attachment}")
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == 'attachment; filename="attendance.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    from app.models import AuditEvent

    assert count_rows(app, AuditEvent, action="download", object_id=world.own_attachment) == 1


def test_orm_guard_scopes_reads_inside_a_school_users_request(app, world):
    """Defence in depth: even a query that forgets the scope sees only the user's school."""
    client = app.test_client()
    token = api_token(client, CLERK)
    with app.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
        from flask_jwt_extended import verify_jwt_in_request

        verify_jwt_in_request()
        assert db.session.scalars(select(Referral.id)).all() == [world.own]
        assert db.session.scalars(select(FamilyMember.id)).all() == [world.own_family]
        db.session.remove()


def test_the_bound_scope_clause_reaches_what_the_scope_clause_reaches(app, world):
    from app.models import Referral
    from app.security import ALL_SCHOOLS, NO_SCHOOLS, Scope

    table = Referral.__table__
    with app.app_context():
        from app.extensions import db

        scopes = [ALL_SCHOOLS, NO_SCHOOLS, Scope(False, frozenset({world.north})),
                  Scope(False, frozenset({world.north, world.south}))]
        reached = []
        for scope in scopes:
            kind, params = scope.kind()
            direct = set(db.session.scalars(select(Referral.id).where(scope.clause(Referral.school_id))))
            bound = set(db.session.execute(
                select(table.c.id).where(Scope.bound_clause(kind, table.c.school_id)), params).scalars())
            assert bound == direct, (scope, kind)
            reached.append(bound)
        assert reached == [{world.own, world.other}, set(), {world.own}, {world.own, world.other}]
