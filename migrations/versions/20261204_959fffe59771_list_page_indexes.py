"""List page indexes: newest first with ties by id, for one school and for the county.

Revision ID: 959fffe59771
Revises: ac458809ad3f
Create Date: 2026-12-04 16:47:12.621414

"""
from alembic import op
import sqlalchemy as sa
import flask_appbuilder  # noqa: F401  (FileColumn and friends in FAB models)


# revision identifiers, used by Alembic.
revision = '959fffe59771'
down_revision = 'ac458809ad3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_school_created'))
        batch_op.create_index('ix_referral_created_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_referral_school_created_id', ['school_id', 'created_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_school_created_id')
        batch_op.drop_index('ix_referral_created_id')
        batch_op.create_index(batch_op.f('ix_referral_school_created'), ['school_id', 'created_at'], unique=False)

