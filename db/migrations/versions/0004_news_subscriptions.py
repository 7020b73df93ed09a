"""news subscriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('news_subscriptions',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_news_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_news_subscriptions'))
    )
    with op.batch_alter_table('news_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_news_subscriptions_lang_country', ['language', 'country'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('news_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_news_subscriptions_lang_country')

    op.drop_table('news_subscriptions')
