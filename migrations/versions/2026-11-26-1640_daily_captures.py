"""payments: captures rolled up per closed day, and journals indexed by kind and date

Revision ID: b0d6f2a8c4e7
Revises: a9c5e1f7b3d6
Create Date: 2026-11-26 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b0d6f2a8c4e7"
down_revision: str | None = "a9c5e1f7b3d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_ledger_daily_capture",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("rolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency", name=op.f("pk_payments_ledger_daily_capture")),
    )
    op.create_index(
        "ix_payments_ledger_journal_kind_created",
        "payments_ledger_journal",
        ["kind", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_payments_ledger_journal_kind_created", table_name="payments_ledger_journal")
    op.drop_table("payments_ledger_daily_capture")
