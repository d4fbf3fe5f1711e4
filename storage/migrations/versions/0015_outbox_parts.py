"""outbox.parts: how many of its channel's messages carried a row, recorded where a channel
limits the messages a citizen may be sent (a Zalo OA's free replies after their message)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("parts", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "parts")
