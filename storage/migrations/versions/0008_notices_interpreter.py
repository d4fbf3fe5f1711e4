"""registrations: the written notice a decision calls for, and the interpreter asked for

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (
    ('interpreter', sa.String(length=60)),
    ('notice_form', sa.String(length=32)),
    ('notice_letter', sa.String(length=64)),
)


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0002: registrations is referenced by its append-only event log.
    for name, type_ in _TEXT_COLUMNS:
        op.add_column(
            'registrations', sa.Column(name, type_, nullable=False, server_default='')
        )
    op.add_column('registrations', sa.Column('notice_due', sa.Date(), nullable=True))
    op.add_column('registrations', sa.Column('notice_issued_on', sa.Date(), nullable=True))
    op.create_index(
        op.f('ix_registrations_notice_due'), 'registrations', ['notice_due'], unique=False
    )
    # The old "repeat" merged two grounds: Law Art. 9 cl. 3 for complaints and denunciations,
    # Decree 154/2026 Art. 4(h) for petitions and feedback.
    op.execute(
        "UPDATE registrations SET rejection_reason = 'resolved' "
        "WHERE rejection_reason = 'repeat' AND kind IN ('complaint', 'denunciation')"
    )
    op.execute(
        "UPDATE registrations SET rejection_reason = 'answered' "
        "WHERE rejection_reason = 'repeat' AND kind IN ('petition', 'feedback')"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_registrations_notice_due'), table_name='registrations')
    for name in ('notice_issued_on', 'notice_due'):
        op.drop_column('registrations', name)
    for name, _type in reversed(_TEXT_COLUMNS):
        op.drop_column('registrations', name)
