"""Session version: bumping it ends every session and API token of a user.

Revision ID: 115b2b1a905a
Revises: e8db0449007b
Create Date: 2026-12-04 17:16:15.152672

"""
from alembic import op
import sqlalchemy as sa
import flask_appbuilder  # noqa: F401  (FileColumn and friends in FAB models)


# revision identifiers, used by Alembic.
revision = '115b2b1a905a'
down_revision = 'e8db0449007b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')

