"""reconciliation: runs comparing the ledger with the provider, and their mismatches

Revision ID: b8d4f0a6c3e5
Revises: a7c3e9f5b2d4
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d4f0a6c3e5"
down_revision: str | None = "a7c3e9f5b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_reconciliation_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ledger_entries", sa.Integer(), nullable=False),
        sa.Column("provider_transactions", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_reconciliation_run")),
    )
    op.create_index(
        "ix_payments_reconciliation_run_day",
        "payments_reconciliation_run",
        ["day", "provider"],
        unique=False,
    )
    op.create_table(
        "payments_reconciliation_mismatch",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("ledger_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("provider_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("journal_key", sa.String(length=255), nullable=True),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["payments_reconciliation_run.id"],
            name=op.f("fk_payments_reconciliation_mismatch_run_id_payments_reconciliation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_reconciliation_mismatch")),
    )
    op.create_index(
        "ix_payments_reconciliation_mismatch_run",
        "payments_reconciliation_mismatch",
        ["run_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_payments_reconciliation_mismatch_run", table_name="payments_reconciliation_mismatch"
    )
    op.drop_table("payments_reconciliation_mismatch")
    op.drop_index("ix_payments_reconciliation_run_day", table_name="payments_reconciliation_run")
    op.drop_table("payments_reconciliation_run")
