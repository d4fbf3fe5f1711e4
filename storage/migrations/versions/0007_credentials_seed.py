"""channel credentials: remember which configured refresh token the pair descends from

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'channel_credentials',
        sa.Column('seeded_from', sa.String(length=64), nullable=False, server_default=''),
    )


def downgrade() -> None:
    with op.batch_alter_table('channel_credentials') as batch:
        batch.drop_column('seeded_from')
