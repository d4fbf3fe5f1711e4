"""Walk-ins: registrations.source (chat, in person, phone, letter, forwarded) and received_by;
consents.given_as (chat, paper, oral) and recorded_by; the tries of /link on a registration

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Everything registered so far came through a chat.
    op.add_column(
        "registrations",
        sa.Column("source", sa.String(length=16), nullable=False, server_default="chat"),
    )
    op.add_column(
        "registrations",
        sa.Column("received_by", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "registrations",
        sa.Column("link_failures", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "registrations",
        sa.Column("link_paused_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "consents",
        sa.Column("given_as", sa.String(length=16), nullable=False, server_default="chat"),
    )
    op.add_column(
        "consents",
        sa.Column("recorded_by", sa.String(length=200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("consents", "recorded_by")
    op.drop_column("consents", "given_as")
    op.drop_column("registrations", "link_paused_until")
    op.drop_column("registrations", "link_failures")
    op.drop_column("registrations", "received_by")
    op.drop_column("registrations", "source")
