"""The schema comes from migrations only; models and migrations agree; roles follow."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from app.roles import ROLE_PERMISSIONS
from app.security import COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF
from tests.conftest import make_config

DATA_TABLES = {"district", "school", "school_year", "ab_user", "referral", "family_member", "intervention",
               "attachment", "attachment_content", "message", "status_change", "audit_event", "access_request"}


def test_upgrade_on_an_empty_database_creates_schema_and_roles(tmp_path, empty_database_url):
    app = create_app(make_config(empty_database_url(tmp_path)))
    with app.app_context():
        assert "referral" not in inspect(db.engine).get_table_names()  # nothing at start-up
        upgrade()
        assert DATA_TABLES <= set(inspect(db.engine).get_table_names())
        sm = app.appbuilder.sm
        for name in (COUNTY_ADMIN, COUNTY_STAFF, SCHOOL_STAFF):
            assert sm.find_role(name) is not None
        staff = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role(COUNTY_STAFF).permissions}
        assert staff == set(ROLE_PERMISSIONS[COUNTY_STAFF])
        assert not sm.find_role("Public").permissions
        # Upgrading again changes nothing and keeps the same roles.
        upgrade()
        again = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role(COUNTY_STAFF).permissions}
        assert again == staff
        db.session.remove()
        db.engine.dispose()


def test_models_equal_migrations(app, ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_check_constraints_exist(app, ctx):
    checks = {c["name"] for c in inspect(db.engine).get_check_constraints("referral")}
    assert {"ck_referral_status", "ck_referral_sex", "ck_referral_race", "ck_referral_grade",
            "ck_referral_unexcused_full_days_non_negative"} <= checks


def test_school_user_indexes_exist(app, ctx):
    indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("referral")}
    assert indexes["ix_referral_school_status_created"] == ["school_id", "status", "created_at"]


def test_database_refuses_unknown_enum_values_and_negative_counts(app, ctx):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from tests import factories

    year = factories.make_year()
    school = factories.make_school("Check School")
    referral = factories.make_referral(school, year)
    db.session.commit()
    for statement in ("UPDATE referral SET status = 'bogus' WHERE id = :id",
                      "UPDATE referral SET unexcused_full_days = -1 WHERE id = :id",
                      "UPDATE referral SET student_grade = 13 WHERE id = :id"):
        with pytest.raises(IntegrityError):
            db.session.execute(text(statement), {"id": referral.id})
            db.session.flush()
        db.session.rollback()


def test_deleting_a_referral_cascades_to_its_children_in_the_database(app, ctx):
    from sqlalchemy import func, select, text

    from app.models import Attachment, FamilyMember, Intervention
    from tests import factories

    year = factories.make_year()
    school = factories.make_school("Cascade School")
    referral = factories.make_referral(school, year)
    factories.make_children(referral)
    db.session.commit()
    db.session.execute(text("DELETE FROM referral WHERE id = :id"), {"id": referral.id})
    db.session.commit()
    for model in (FamilyMember, Intervention, Attachment):
        assert db.session.scalar(select(func.count(model.id))) == 0
