"""outbox by recipient: the last menu a chat was sent, for channels without buttons

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f('ix_outbox_recipient'), 'outbox', ['channel', 'recipient', 'sent_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_recipient'), table_name='outbox')
