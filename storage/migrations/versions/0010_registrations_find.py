"""registrations.name_folded for /find, filled for the rows already there; indexes on phone,
ID number and folded name

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.core.text import fold_words

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage/tables.py NAME_FOLDED_MAX, copied: a migration does not follow later model changes.
_NAME_FOLDED_MAX = 200
# Rows read and written per round trip: a province's years of registrations fit in memory a
# batch at a time, and each UPDATE stays well under every driver's parameter limit.
_BATCH = 1000


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: SQLite adds a NOT NULL column only with one, and
    # no table rebuild is needed (registrations is referenced by its event log).
    op.add_column(
        'registrations',
        sa.Column(
            'name_folded',
            sa.String(length=_NAME_FOLDED_MAX),
            nullable=False,
            server_default='',
        ),
    )
    _backfill()
    op.create_index('ix_registrations_phone', 'registrations', ['phone'], unique=False)
    op.create_index('ix_registrations_id_number', 'registrations', ['id_number'], unique=False)
    op.create_index(
        'ix_registrations_name_folded', 'registrations', ['name_folded'], unique=False
    )


def _backfill() -> None:
    """Fold the names in Python, with the function the application uses at insert: SQL has no
    portable way to drop Vietnamese diacritics (PostgreSQL's unaccent is an extension)."""
    bind = op.get_bind()
    table = sa.table(
        'registrations',
        sa.column('id', sa.BigInteger()),
        sa.column('full_name', sa.String()),
        sa.column('name_folded', sa.String()),
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam('row_id'))
        .values(name_folded=sa.bindparam('folded'))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c.full_name)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [
                {'row_id': row_id, 'folded': fold_words(name)[:_NAME_FOLDED_MAX]}
                for row_id, name in rows
            ],
        )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index('ix_registrations_name_folded', table_name='registrations')
    op.drop_index('ix_registrations_id_number', table_name='registrations')
    op.drop_index('ix_registrations_phone', table_name='registrations')
    op.drop_column('registrations', 'name_folded')
