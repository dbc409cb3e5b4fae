"""Report index: every grouping of a school year's referrals read from the index alone.

Revision ID: e1641bce3f02
Revises: 959fffe59771
Create Date: 2026-12-04 17:01:04.533126

"""
from alembic import op
import sqlalchemy as sa
import flask_appbuilder  # noqa: F401  (FileColumn and friends in FAB models)


# revision identifiers, used by Alembic.
revision = 'e1641bce3f02'
down_revision = '959fffe59771'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_year_report', ['school_year_id', 'school_id', 'status', 'student_grade', 'student_sex', 'student_race', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_year_report')

