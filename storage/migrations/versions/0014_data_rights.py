"""Data rights: registrations.erased_at (personal fields erased: consent withdrawn, or past
the retention period), and the data requests the officers answer under Decree 356/2025

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "registrations", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "data_requests",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("citizen_id", _ID, nullable=False),
        sa.Column("registration_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=False),
        sa.Column("answer_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_data_requests_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_data_requests_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index(
        "ix_data_requests_status", "data_requests", ["status", "acknowledge_by"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_data_requests_status", table_name="data_requests")
    op.drop_table("data_requests")
    op.drop_column("registrations", "erased_at")
