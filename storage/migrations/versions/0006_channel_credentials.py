"""channel credentials: the Zalo OA's rotating tokens

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'channel_credentials',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('access_token', sa.Text(), nullable=False),
        sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('refresh_token', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_credentials')),
    )


def downgrade() -> None:
    op.drop_table('channel_credentials')
