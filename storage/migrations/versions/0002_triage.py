"""officer decisions on registrations, and the audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (
    ('host_name', sa.String(length=200)),
    ('rejection_reason', sa.String(length=32)),
    ('guided_to', sa.String(length=300)),
    ('referred_to', sa.String(length=300)),
    ('letter_no', sa.String(length=64)),
    ('duplicate_of_code', sa.String(length=16)),
    ('outcome', sa.String(length=16)),
    ('outcome_note', sa.Text()),
    ('conclusion', sa.Text()),
    ('conclusion_unit', sa.String(length=300)),
    ('info_question', sa.Text()),
)


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite allows it for nullable columns and for
    # NOT NULL ones with a default, and registrations is referenced by its event log.
    for name, type_ in _TEXT_COLUMNS:
        op.add_column(
            'registrations', sa.Column(name, type_, nullable=False, server_default='')
        )
    op.add_column('registrations', sa.Column('slot_time', sa.Time(), nullable=True))
    op.add_column('registrations', sa.Column('conclusion_deadline', sa.Date(), nullable=True))
    op.add_column(
        'registrations', sa.Column('paused_since', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('target', sa.String(length=100), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    _append_only('audit_log')


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE OR REPLACE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION append_only()"
        )
        return
    for action in ('UPDATE', 'DELETE'):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION append_only()')
    for name in ('paused_since', 'conclusion_deadline', 'slot_time'):
        op.drop_column('registrations', name)
    for name, _type in reversed(_TEXT_COLUMNS):
        op.drop_column('registrations', name)
