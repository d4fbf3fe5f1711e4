"""registration_name_words for /find by name, filled for the rows already there; replaces
registrations.name_folded, which no index could seek a word in the middle of; an index on
registrations(submitted_at, id)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from bot.core.text import fold_words

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage/tables.py NAME_WORD_MAX and name_words, copied: a migration does not follow later
# model changes.
_WORD_MAX = 40
# Rows read per round trip: a province's years of registrations fit in memory a batch at a
# time, and each INSERT stays well under every driver's parameter limit.
_BATCH = 1000


def _words(name: str) -> list[str]:
    return sorted({word[:_WORD_MAX] for word in fold_words(name).split()})


def upgrade() -> None:
    op.create_table(
        "registration_name_words",
        sa.Column(
            "registration_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "word",
            sa.String(length=_WORD_MAX).with_variant(
                sa.String(length=_WORD_MAX, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_name_words_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "word", name=op.f("pk_registration_name_words")
        ),
    )
    _backfill()
    op.create_index(
        "ix_registration_name_words_word",
        "registration_name_words",
        ["word", "registration_id"],
        unique=False,
    )
    op.create_index(
        "ix_registrations_submitted", "registrations", ["submitted_at", "id"], unique=False
    )
    op.drop_index("ix_registrations_name_folded", table_name="registrations")
    op.drop_column("registrations", "name_folded")


def _names(bind: sa.Connection) -> Iterator[list[tuple[int, str]]]:
    """Every registration's (id, full name), a batch at a time."""
    registrations = sa.table(
        "registrations", sa.column("id", sa.BigInteger()), sa.column("full_name", sa.String())
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(registrations.c.id, registrations.c.full_name)
            .where(registrations.c.id > last)
            .order_by(registrations.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        yield [(row_id, name) for row_id, name in rows]
        last = rows[-1][0]


def _backfill() -> None:
    """Fold the names in Python, with the function the application uses at insert: SQL has no
    portable way to drop Vietnamese diacritics (PostgreSQL's unaccent is an extension)."""
    bind = op.get_bind()
    words = sa.table(
        "registration_name_words",
        sa.column("registration_id", sa.BigInteger()),
        sa.column("word", sa.String()),
    )
    for batch in _names(bind):
        found = [
            {"registration_id": row_id, "word": word}
            for row_id, name in batch
            for word in _words(name)
        ]
        if found:
            bind.execute(sa.insert(words), found)


def downgrade() -> None:
    op.add_column(
        "registrations",
        sa.Column("name_folded", sa.String(length=200), nullable=False, server_default=""),
    )
    bind = op.get_bind()
    registrations = sa.table(
        "registrations", sa.column("id", sa.BigInteger()), sa.column("name_folded", sa.String())
    )
    update = (
        sa.update(registrations)
        .where(registrations.c.id == sa.bindparam("row_id"))
        .values(name_folded=sa.bindparam("folded"))
    )
    for batch in _names(bind):
        bind.execute(
            update, [{"row_id": row_id, "folded": fold_words(name)[:200]} for row_id, name in batch]
        )
    op.create_index("ix_registrations_name_folded", "registrations", ["name_folded"], unique=False)
    op.drop_index("ix_registrations_submitted", table_name="registrations")
    op.drop_index("ix_registration_name_words_word", table_name="registration_name_words")
    op.drop_table("registration_name_words")
