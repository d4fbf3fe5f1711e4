"""session revisions: calendar feeds follow moves and cancellations (SEQUENCE, DTSTAMP)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'sessions', sa.Column('revision', sa.Integer(), nullable=False, server_default='0')
    )
    op.add_column('sessions', sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('sessions', 'updated_at')
    op.drop_column('sessions', 'revision')
