"""registrations.repeat_of_code: the earlier registration of the same citizen on what looks
like the same matter, found at submission; an index on the citizen's ID number and phone
serves the look-up already (0010)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Registrations already there are not scored: their officers have decided on them.
    op.add_column(
        "registrations",
        sa.Column("repeat_of_code", sa.String(length=16), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("registrations", "repeat_of_code")
