"""registrations in the officers' queue order, covering its filters; owed notices indexed
alone

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OWED = sa.text('notice_due IS NOT NULL AND notice_issued_on IS NULL')


def upgrade() -> None:
    op.drop_index('ix_registrations_notice_due', table_name='registrations')
    op.create_index(
        'ix_registrations_notices_owed',
        'registrations',
        ['notice_due', 'id'],
        unique=False,
        sqlite_where=_OWED,
        postgresql_where=_OWED,
    )
    op.create_index(
        'ix_registrations_queue',
        'registrations',
        ['status', 'priority', 'submitted_at', 'id', 'kind', 'leader_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_registrations_queue', table_name='registrations')
    op.drop_index('ix_registrations_notices_owed', table_name='registrations')
    op.create_index(
        'ix_registrations_notice_due', 'registrations', ['notice_due'], unique=False
    )
