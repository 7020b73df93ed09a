"""encrypted outbox payload: JSON column becomes text holding a Fernet token

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('payload', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using='payload::text')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('payload', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using='payload::json')
