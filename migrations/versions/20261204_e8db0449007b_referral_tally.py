"""Referral tally: running counts for the reports, filled from the referrals already there.

Revision ID: e8db0449007b
Revises: e1641bce3f02
Create Date: 2026-12-04 17:08:55.765281

"""
from alembic import op
import sqlalchemy as sa
import flask_appbuilder  # noqa: F401  (FileColumn and friends in FAB models)


# revision identifiers, used by Alembic.
revision = 'e8db0449007b'
down_revision = 'e1641bce3f02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('race', sa.String(length=20), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.CheckConstraint('n >= 0', name='ck_referral_tally_n'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('school_year_id', 'school_id', 'status', 'grade', 'sex', 'race', 'month', name='uq_referral_tally_key')
    )
    month = ("date_trunc('month', created_at)" if op.get_bind().dialect.name == "postgresql"
             else "date(created_at, 'start of month')")
    op.execute(
        "INSERT INTO referral_tally (school_year_id, school_id, status, grade, sex, race, month, n) "
        "SELECT school_year_id, school_id, status, COALESCE(student_grade, -1), COALESCE(student_sex, ''), "
        f"COALESCE(student_race, ''), {month}, count(*) FROM referral "
        f"GROUP BY school_year_id, school_id, status, COALESCE(student_grade, -1), COALESCE(student_sex, ''), "
        f"COALESCE(student_race, ''), {month}"
    )


def downgrade():
    op.drop_table('referral_tally')
