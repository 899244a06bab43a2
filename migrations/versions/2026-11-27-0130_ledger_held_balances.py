"""payments: a partial index of the ledger balances that are not zero, for the finance figures

Revision ID: d2f8b4c0e6a9
Revises: c1e7a3b9d5f8
Create Date: 2026-11-27 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2f8b4c0e6a9"
down_revision: str | None = "c1e7a3b9d5f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ZERO = sa.text("balance_minor <> 0")


def upgrade() -> None:
    op.create_index(
        "ix_payments_ledger_balance_held",
        "payments_ledger_balance",
        ["account"],
        postgresql_ops={"account": "text_pattern_ops"},
        postgresql_where=NOT_ZERO,
        sqlite_where=NOT_ZERO,
    )


def downgrade() -> None:
    op.drop_index("ix_payments_ledger_balance_held", table_name="payments_ledger_balance")
