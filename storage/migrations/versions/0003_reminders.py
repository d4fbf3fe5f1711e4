"""reminders and schedule changes: outbox guards, subscriptions, assistants, priority

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('leaders', sa.Column('assistants', _JSON, nullable=False, server_default='[]'))
    op.add_column('sessions', sa.Column('code', sa.String(length=64), nullable=True))
    # A unique index rather than a constraint: SQLite cannot ALTER TABLE ADD CONSTRAINT.
    op.create_index(op.f('uq_sessions_code'), 'sessions', ['code'], unique=True)
    op.add_column(
        'registrations',
        sa.Column('priority', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'outbox',
        sa.Column('purpose', sa.String(length=32), nullable=False, server_default='notice'),
    )
    op.add_column('outbox', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('outbox', sa.Column('guard', _JSON, nullable=True))
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column(
            'citizen_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False
        ),
        sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['citizen_id'], ['citizens.id'], name=op.f('fk_subscriptions_citizen_id_citizens')
        ),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['units.id'], name=op.f('fk_subscriptions_unit_id_units')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
        sa.UniqueConstraint(
            'citizen_id', 'unit_id', name=op.f('uq_subscriptions_citizen_id_unit_id')
        ),
    )
    op.create_index(op.f('ix_subscriptions_unit_id'), 'subscriptions', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_subscriptions_unit_id'), table_name='subscriptions')
    op.drop_table('subscriptions')
    for name in ('guard', 'expires_at', 'purpose'):
        op.drop_column('outbox', name)
    op.drop_column('registrations', 'priority')
    op.drop_index(op.f('uq_sessions_code'), table_name='sessions')
    op.drop_column('sessions', 'code')
    op.drop_column('leaders', 'assistants')
